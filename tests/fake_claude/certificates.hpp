#pragma once
// The fake server's TLS material: a private CA and a server certificate it signed, kept as PEM
// files so that clients in other processes (Python tests, benchmarks) can trust the CA.

#include <filesystem>
#include <string>

namespace fake_claude::detail {

struct TlsFiles {
    std::filesystem::path ca_cert;     ///< ca.pem: what clients load as their trust anchor
    std::filesystem::path ca_key;      ///< ca.key
    std::filesystem::path server_cert; ///< server.pem
    std::filesystem::path server_key;  ///< server.key
};

/// Loads the CA and server certificate from `dir`, creating (or replacing) whatever is missing,
/// unusable, or not what is asked for: a CA out of its validity period, a server certificate
/// not signed by the CA, not naming `cert_host`, or expired when `expired` is false (and the
/// other way round). Several processes may call this on one directory at once (file lock).
/// @throws std::runtime_error on any OpenSSL or file-system failure.
TlsFiles ensure_certificates(const std::filesystem::path& dir, const std::string& cert_host,
                             bool expired);

} // namespace fake_claude::detail

#include "certificates.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

namespace fake_claude::detail {
namespace {

namespace fs = std::filesystem;

template <auto free_function> struct OpenSslFree {
    template <class T> void operator()(T* pointer) const { free_function(pointer); }
};
using Key = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, OpenSslFree<X509_free>>;
using Bio = std::unique_ptr<BIO, OpenSslFree<BIO_free_all>>;
using Extension = std::unique_ptr<X509_EXTENSION, OpenSslFree<X509_EXTENSION_free>>;

constexpr long one_hour = 3600;
constexpr long one_day = 24 * one_hour;

[[noreturn]] void fail(const std::string& what) {
    std::string message = "fake_claude certificates: " + what;
    if (const unsigned long code = ERR_get_error(); code != 0) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        message += ": ";
        message += text;
    }
    ERR_clear_error();
    throw std::runtime_error(message);
}

// Several test processes may share one directory; without the lock two of them could each
// write a CA and end up serving a certificate signed by the other one's key.
class DirectoryLock {
  public:
    explicit DirectoryLock(const fs::path& dir)
        : fd_(::open((dir / ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600)) {
        if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) fail("cannot lock " + dir.string());
    }
    ~DirectoryLock() { ::close(fd_); } // closing releases the flock
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;

  private:
    int fd_;
};

bool is_ip_address(const std::string& host) {
    unsigned char buffer[16];
    return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

Key generate_key() {
    // EC P-256: a handshake costs far less CPU than with RSA, which matters when benchmarks
    // open many connections on a two-core machine.
    Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) fail("EC key generation failed");
    return key;
}

void set_name(X509_NAME* name, const char* common_name) {
    const auto add = [&](const char* field, const char* value) {
        if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                        reinterpret_cast<const unsigned char*>(value), -1, -1, 0))
            fail(std::string("cannot set ") + field);
    };
    add("O", "mcqgen tests");
    add("CN", common_name);
}

void set_random_serial(X509* cert) {
    uint64_t serial = 0;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(&serial), sizeof serial) != 1)
        fail("no random bytes");
    serial = (serial >> 1) | 1; // positive and never zero, as RFC 5280 asks
    if (!ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert), serial)) fail("cannot set serial");
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    Extension extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
    if (!extension || !X509_add_ext(cert, extension.get(), -1))
        fail("cannot add extension " + value);
}

/// A certificate with everything but extensions and signature; `issuer` null means self-issued.
Cert new_certificate(EVP_PKEY* key, X509* issuer, const char* common_name, long not_before,
                     long not_after) {
    Cert cert(X509_new());
    if (!cert || !X509_set_version(cert.get(), X509_VERSION_3)) fail("X509_new failed");
    set_random_serial(cert.get());
    set_name(X509_get_subject_name(cert.get()), common_name);
    const X509_NAME* issuer_name =
        issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(cert.get());
    if (!X509_set_issuer_name(cert.get(), issuer_name)) fail("cannot set issuer");
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after))
        fail("cannot set validity");
    if (!X509_set_pubkey(cert.get(), key)) fail("cannot set public key");
    return cert;
}

void sign(X509* cert, EVP_PKEY* issuer_key) {
    if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) fail("signing failed");
}

struct KeyAndCert {
    Key key;
    Cert cert;
};

KeyAndCert make_ca() {
    KeyAndCert ca{generate_key(), nullptr};
    ca.cert = new_certificate(ca.key.get(), nullptr, "mcqgen fake Claude CA", -3 * one_day,
                              365 * one_day);
    add_extension(ca.cert.get(), ca.cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca.cert.get(), ca.cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.cert.get(), ca.cert.get(), NID_subject_key_identifier, "hash");
    add_extension(ca.cert.get(), ca.cert.get(), NID_authority_key_identifier, "keyid:always");
    sign(ca.cert.get(), ca.key.get());
    return ca;
}

std::string subject_alt_names(const std::string& host) {
    if (host == "localhost") return "DNS:localhost";
    return (is_ip_address(host) ? "IP:" : "DNS:") + host + ",DNS:localhost";
}

KeyAndCert make_server_cert(const KeyAndCert& ca, const std::string& host, bool expired) {
    KeyAndCert server{generate_key(), nullptr};
    const long not_before = expired ? -2 * one_day : -one_hour;
    const long not_after = expired ? -one_day : 30 * one_day;
    server.cert = new_certificate(server.key.get(), ca.cert.get(), "mcqgen fake Claude server",
                                  not_before, not_after);
    X509* cert = server.cert.get();
    add_extension(cert, ca.cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert, ca.cert.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(cert, ca.cert.get(), NID_ext_key_usage, "serverAuth");
    add_extension(cert, ca.cert.get(), NID_subject_alt_name, subject_alt_names(host));
    add_extension(cert, ca.cert.get(), NID_subject_key_identifier, "hash");
    add_extension(cert, ca.cert.get(), NID_authority_key_identifier, "keyid:always");
    sign(cert, ca.key.get());
    return server;
}

std::string to_pem(X509* cert) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || !PEM_write_bio_X509(bio.get(), cert)) fail("cannot encode certificate");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
}

std::string to_pem(EVP_PKEY* key) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || !PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr))
        fail("cannot encode key");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
}

// Written to a temporary name and renamed, so a reader never sees half a file.
void write_file(const fs::path& path, const std::string& contents, bool secret) {
    fs::path temporary = path;
    temporary += ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) fail("cannot write " + temporary.string());
        if (secret)
            fs::permissions(temporary, fs::perms::owner_read | fs::perms::owner_write,
                            fs::perm_options::replace);
        out << contents;
        if (!out.flush()) fail("cannot write " + temporary.string());
    }
    fs::rename(temporary, path);
}

void write_pair(const KeyAndCert& pair, const fs::path& cert_path, const fs::path& key_path) {
    write_file(key_path, to_pem(pair.key.get()), true);
    write_file(cert_path, to_pem(pair.cert.get()), false);
}

/// Loads a key and its certificate; empty when either is missing, unreadable or they differ.
KeyAndCert load_pair(const fs::path& cert_path, const fs::path& key_path) {
    KeyAndCert pair;
    if (!fs::exists(cert_path) || !fs::exists(key_path)) return pair;
    Bio cert_bio(BIO_new_file(cert_path.c_str(), "r"));
    Bio key_bio(BIO_new_file(key_path.c_str(), "r"));
    if (cert_bio) pair.cert.reset(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    if (key_bio) pair.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    if (!pair.cert || !pair.key || X509_check_private_key(pair.cert.get(), pair.key.get()) != 1)
        pair = {};
    ERR_clear_error();
    return pair;
}

bool has_expired(X509* cert) {
    return X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0;
}
bool not_yet_valid(X509* cert) {
    return X509_cmp_current_time(X509_get0_notBefore(cert)) > 0;
}

bool names_host(X509* cert, const std::string& host) {
    if (is_ip_address(host)) return X509_check_ip_asc(cert, host.c_str(), 0) == 1;
    return X509_check_host(cert, host.c_str(), host.size(), 0, nullptr) == 1;
}

bool usable_ca(const KeyAndCert& ca) {
    return ca.cert && !has_expired(ca.cert.get()) && !not_yet_valid(ca.cert.get());
}

bool usable_server_cert(const KeyAndCert& server, const KeyAndCert& ca, const std::string& host,
                        bool expired) {
    if (!server.cert) return false;
    X509* cert = server.cert.get();
    const bool signed_by_ca = X509_verify(cert, ca.key.get()) == 1;
    ERR_clear_error();
    return signed_by_ca && names_host(cert, host) && has_expired(cert) == expired &&
           !not_yet_valid(cert);
}

} // namespace

TlsFiles ensure_certificates(const fs::path& dir, const std::string& cert_host, bool expired) {
    const TlsFiles files{dir / "ca.pem", dir / "ca.key", dir / "server.pem", dir / "server.key"};
    fs::create_directories(dir);
    const DirectoryLock lock(dir);

    KeyAndCert ca = load_pair(files.ca_cert, files.ca_key);
    if (!usable_ca(ca)) {
        ca = make_ca();
        write_pair(ca, files.ca_cert, files.ca_key);
    }
    const KeyAndCert server = load_pair(files.server_cert, files.server_key);
    if (!usable_server_cert(server, ca, cert_host, expired))
        write_pair(make_server_cert(ca, cert_host, expired), files.server_cert, files.server_key);
    return files;
}

} // namespace fake_claude::detail

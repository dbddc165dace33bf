// The one translation unit that compiles Asio, Asio.SSL and Beast (see mcqgen_asio in
// cmake/mcqgen_options.cmake).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>

// TLS for the listeners (docs/security.md, "Running with TLS"): the OpenSSL
// server context built from server.tls, the one new handshakes use (swapped
// by reloads), and why a handshake failed, for
// ccmon_tls_handshake_failures_total.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "server/self_metrics.hpp"

namespace ccmon::server {

using TlsContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// Builds a server context from `tls` (which must be enabled()): reads the
// certificate chain, the private key and, when set, the client CA file, and
// checks that the key belongs to the certificate. Protocols and ciphers are
// fixed: TLS 1.2 and 1.3 only; on TLS 1.2 only ECDHE key exchange with AEAD
// ciphers (AES-GCM, ChaCha20-Poly1305), so every session has forward secrecy;
// TLS 1.3 keeps OpenSSL's suites (all AEAD); no compression, no
// renegotiation. With client_ca_file, a client must present a certificate
// that CA signed or the handshake fails.
// Returns nullptr and sets `error` (naming the key, the file and OpenSSL's
// reason) on failure; never throws. Reads files: call off the I/O threads.
TlsContextPtr make_tls_context(const config::TlsConfig& tls, std::string& error);

// The context each new TLS connection is accepted with. A reload set()s a
// new one; connections already open keep the one they started with (a
// connection's SSL object holds its own reference). Thread-safe.
class TlsContextSlot {
 public:
  explicit TlsContextSlot(TlsContextPtr initial) : current_(std::move(initial)) {}

  TlsContextPtr get() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void set(TlsContextPtr next) {
    std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mutex_;
  TlsContextPtr current_;
};

// Classifies the error an async_handshake completed with (TlsHandshakeFailure
// is in server/self_metrics.hpp, with the other counted reasons).
TlsHandshakeFailure classify_handshake_error(const boost::system::error_code& ec);

}  // namespace ccmon::server

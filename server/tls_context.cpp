#include "server/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace ccmon::server {
namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites: ECDHE only (forward secrecy without DH parameters to
// manage), AEAD only (no CBC, whose padding and MAC-then-encrypt design kept
// producing attacks), ECDSA and RSA certificates alike. This is the TLS 1.2
// part of Mozilla's "intermediate" recommendation less its finite-field DHE
// suites; every client of the last decade (curl, browsers, Go as Prometheus
// uses it, Python) has them. TLS 1.3 suites are all AEAD: OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kGroups = "X25519:P-256:P-384";

// Session resumption with client certificates needs an id context
// (OpenSSL refuses to resume otherwise).
constexpr unsigned char kSessionIdContext[] = "ccmond";

bool readable(const std::string& key, const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (in) return true;
  error = "server.tls.";
  error += key;
  error += ": cannot read ";
  error += path;
  error += ": ";
  error += std::strerror(errno);
  return false;
}

bool failed(const boost::system::error_code& ec, const char* key, const std::string& path,
            std::string& error) {
  if (!ec) return false;
  error = "server.tls.";
  error += key;
  error += ": ";
  error += path;
  error += ": ";
  error += ec.message();
  return true;
}

// The last OpenSSL error on this thread, as text.
std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(e, text, sizeof text);
  return text;
}

}  // namespace

TlsContextPtr make_tls_context(const config::TlsConfig& tls, std::string& error) {
  ERR_clear_error();
  if (!readable("cert_file", tls.cert_file, error) || !readable("key_file", tls.key_file, error) ||
      (!tls.client_ca_file.empty() && !readable("client_ca_file", tls.client_ca_file, error))) {
    return nullptr;
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* h = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(h, kTls12Ciphers) != 1 || SSL_CTX_set1_groups_list(h, kGroups) != 1) {
    error = "server.tls: cannot set the protocol versions and ciphers: ";
    error += openssl_error();
    return nullptr;
  }
  // Renegotiation: a client could make the server redo expensive handshakes
  // on one connection; nothing here needs it.
  SSL_CTX_set_options(h, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // An idle keep-alive or WebSocket connection gives back its ~34 KiB of
  // record buffers: up to max_connections of them may sit idle.
  SSL_CTX_set_mode(h, SSL_MODE_RELEASE_BUFFERS);

  boost::system::error_code ec;
  ctx->use_certificate_chain_file(tls.cert_file, ec);
  if (failed(ec, "cert_file", tls.cert_file, error)) return nullptr;
  ctx->use_private_key_file(tls.key_file, ssl::context::pem, ec);
  if (failed(ec, "key_file", tls.key_file, error)) return nullptr;
  if (SSL_CTX_check_private_key(h) != 1) {
    error = "server.tls.key_file: " + tls.key_file + " is not the key of the certificate in " +
            tls.cert_file + ": " + openssl_error();
    return nullptr;
  }
  if (!tls.client_ca_file.empty()) {
    ctx->load_verify_file(tls.client_ca_file, ec);
    if (failed(ec, "client_ca_file", tls.client_ca_file, error)) return nullptr;
    // The CA names sent in the CertificateRequest, so that a client with
    // several certificates picks the right one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str());
    if (names == nullptr) {
      error = "server.tls.client_ca_file: " + tls.client_ca_file +
              " holds no CA certificate: " + openssl_error();
      return nullptr;
    }
    SSL_CTX_set_client_CA_list(h, names);  // takes ownership
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (failed(ec, "client_ca_file", tls.client_ca_file, error)) return nullptr;
    SSL_CTX_set_session_id_context(h, kSessionIdContext, sizeof kSessionIdContext - 1);
  }
  return ctx;
}

TlsHandshakeFailure classify_handshake_error(const boost::system::error_code& ec) {
  namespace error = boost::asio::error;
  if (ec == boost::beast::error::timeout) return TlsHandshakeFailure::kTimeout;
  if (ec == error::eof || ec == error::connection_reset || ec == error::broken_pipe ||
      ec == ssl::error::stream_truncated) {
    return TlsHandshakeFailure::kClosed;
  }
  if (ec.category() != error::get_ssl_category()) return TlsHandshakeFailure::kOther;
  switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_RECORD_LENGTH_MISMATCH:
      return TlsHandshakeFailure::kNotTls;
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_SHARED_GROUPS:
    case SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM:
    case SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_TLSV1_ALERT_INSUFFICIENT_SECURITY:
      return TlsHandshakeFailure::kProtocol;
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
      return TlsHandshakeFailure::kClientCertificate;
    // Alerts the client sends about the server's certificate: it does not
    // trust it (another CA, expired, wrong name).
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
      return TlsHandshakeFailure::kServerCertificate;
    default:
      return TlsHandshakeFailure::kOther;
  }
}

}  // namespace ccmon::server

#include "tools/sim/event_writer.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "tools/sim/rng.hpp"

namespace ccmon::sim {

namespace {

void append_uint(std::string& out, std::uint64_t v) {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, v);
  out.append(digits, r.ptr);
}

void append_int(std::string& out, std::int64_t v) {
  char digits[24];
  const auto r = std::to_chars(digits, digits + sizeof digits, v);
  out.append(digits, r.ptr);
}

void append_key(std::string& out, std::string_view key) {
  out.append(",\"");
  out.append(key);
  out.append("\":");
}

// Days since the epoch rounded towards -infinity, and the remainder.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void two_digits(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

}  // namespace

Batcher::Batcher(std::size_t batch_size, Flush flush)
    : batch_size_(batch_size == 0 ? 1 : batch_size), flush_(std::move(flush)) {}

void Batcher::commit() {
  if (++lines_ >= batch_size_) flush();
}

void Batcher::flush() {
  if (lines_ == 0) return;
  flush_(buffer_, lines_);
  buffer_.clear();
  lines_ = 0;
}

EventWriter::EventWriter(std::string prefix) : prefix_(std::move(prefix)) {}

void EventWriter::begin(std::string& out, core::EventType type, core::Timestamp t) {
  out.append("{\"id\":\"");
  out.append(prefix_);
  out.push_back('-');
  append_uint(out, next_id_++);
  out.append("\",\"type\":\"");
  out.append(core::to_string(type));
  out.append("\",\"time\":\"");
  append_time(out, t);
  out.push_back('"');
}

void EventWriter::text(std::string& out, std::string_view key, std::string_view value) {
  append_key(out, key);
  out.push_back('"');
  out.append(value);
  out.push_back('"');
}

void EventWriter::id(std::string& out, std::string_view key, char tag, std::uint64_t n) const {
  append_key(out, key);
  out.push_back('"');
  out.append(prefix_);
  out.push_back('-');
  out.push_back(tag);
  append_uint(out, n);
  out.push_back('"');
}

void EventWriter::integer(std::string& out, std::string_view key, std::int64_t value) {
  append_key(out, key);
  append_int(out, value);
}

void EventWriter::hundredths(std::string& out, std::string_view key, std::int64_t hundredths) {
  append_key(out, key);
  if (hundredths < 0) {
    out.push_back('-');
    hundredths = -hundredths;
  }
  append_int(out, hundredths / 100);
  char frac[3] = {'.', static_cast<char>('0' + hundredths % 100 / 10),
                  static_cast<char>('0' + hundredths % 10)};
  out.append(frac, 3);
}

void EventWriter::boolean(std::string& out, std::string_view key, bool value) {
  append_key(out, key);
  out.append(value ? "true" : "false");
}

void EventWriter::append_time(std::string& out, core::Timestamp t) {
  constexpr std::int64_t kMicrosPerDay = 86'400LL * core::kMicrosPerSecond;
  const std::int64_t day = floor_div(t, kMicrosPerDay);
  if (day != cached_day_) {
    // The calendar date only changes once a simulated day.
    cached_day_ = day;
    const std::chrono::year_month_day ymd{
        std::chrono::sys_days{std::chrono::days{static_cast<int>(day)}}};
    std::snprintf(day_text_, sizeof day_text_, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  }
  const std::int64_t ms_of_day = (t - day * kMicrosPerDay) / 1000;
  const int ms = static_cast<int>(ms_of_day % 1000);
  const int s = static_cast<int>(ms_of_day / 1000 % 60);
  const int m = static_cast<int>(ms_of_day / 60'000 % 60);
  const int h = static_cast<int>(ms_of_day / 3'600'000);
  char text[25];
  std::memcpy(text, day_text_, 10);
  text[10] = 'T';
  two_digits(text + 11, h);
  text[13] = ':';
  two_digits(text + 14, m);
  text[16] = ':';
  two_digits(text + 17, s);
  text[19] = '.';
  text[20] = static_cast<char>('0' + ms / 100);
  two_digits(text + 21, ms % 100);
  text[23] = 'Z';
  out.append(text, 24);
}

std::string EventWriter::rfc3339(core::Timestamp t) {
  EventWriter w("");
  std::string out;
  w.append_time(out, t);
  return out;
}

std::string id_prefix(std::uint64_t seed) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(splitmix64(seed)));
  return text;
}

}  // namespace ccmon::sim

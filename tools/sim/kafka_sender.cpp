// Kafka: one message per event, keyed as docs/kafka.md asks of producers
// (tools/sim/kafka_key.hpp), with librdkafka's idempotent producer (acks
// from all in-sync replicas, no duplicates from its own retries). A batch is
// on its way once librdkafka queued it; finish() waits for every delivery
// report. A message that cannot be delivered (past message.timeout.ms, or
// refused) is fatal.
#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "tools/sim/kafka_key.hpp"
#include "tools/sim/sender.hpp"

namespace ccmon::sim {

namespace {

class KafkaSender final : public Sender, public RdKafka::DeliveryReportCb {
 public:
  KafkaSender(const std::string& brokers, std::string topic, core::Duration give_up)
      : topic_(std::move(topic)) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string why;
    const std::pair<const char*, std::string> settings[] = {
        {"bootstrap.servers", brokers},
        {"client.id", "ccmon-sim"},
        {"enable.idempotence", "true"},
        {"linger.ms", "5"},
        // --give-up: how long a message may wait for a broker.
        {"message.timeout.ms", std::to_string(give_up / 1000)},
    };
    for (const auto& [name, value] : settings) {
      if (conf->set(name, value, why) != RdKafka::Conf::CONF_OK)
        throw std::runtime_error(std::string("kafka ") + name + ": " + why);
    }
    if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(this), why) !=
        RdKafka::Conf::CONF_OK) {
      throw std::runtime_error("kafka: " + why);
    }
    producer_.reset(RdKafka::Producer::create(conf.get(), why));
    if (!producer_) throw std::runtime_error("kafka: " + why);
  }

  // Acknowledged per message, by its delivery report.
  void send(std::string_view frame, std::size_t /*events*/) override {
    std::size_t start = 0;
    while (start < frame.size()) {
      std::size_t end = frame.find('\n', start);
      if (end == std::string_view::npos) end = frame.size();
      const std::string_view line = frame.substr(start, end - start);
      start = end + 1;
      if (line.empty()) continue;
      produce(line, keys_.key_of(line));
    }
    ++ack_.batches;
    producer_->poll(0);  // delivery reports so far
    check();
  }

  void finish() override {
    while (producer_->outq_len() > 0) {
      producer_->flush(1000);
      check();
    }
    check();
  }

  void idle() override {
    producer_->poll(0);
    check();
  }

  void dr_cb(RdKafka::Message& m) override {
    if (m.err() != RdKafka::ERR_NO_ERROR) {
      if (failure_.empty()) failure_ = "kafka: a message was not delivered: " + m.errstr();
      return;
    }
    ++ack_.events;
    ++ack_.accepted;
  }

 private:
  void produce(std::string_view line, const std::string& key) {
    for (;;) {
      const auto err = producer_->produce(
          topic_, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
          const_cast<char*>(line.data()), line.size(), key.data(), key.size(), 0, nullptr);
      if (err == RdKafka::ERR_NO_ERROR) return;
      // The local queue is full: wait for deliveries (backpressure).
      if (err != RdKafka::ERR__QUEUE_FULL)
        throw std::runtime_error("kafka: " + RdKafka::err2str(err));
      producer_->poll(100);
      check();
    }
  }

  void check() const {
    if (!failure_.empty()) throw std::runtime_error(failure_);
  }

  std::string topic_;
  std::unique_ptr<RdKafka::Producer> producer_;
  KafkaKeys keys_;
  std::string failure_;
};

}  // namespace

std::unique_ptr<Sender> make_kafka_sender(const std::string& brokers, const std::string& topic,
                                          RetryPolicy retry) {
  return std::make_unique<KafkaSender>(brokers, topic, retry.give_up);
}

}  // namespace ccmon::sim

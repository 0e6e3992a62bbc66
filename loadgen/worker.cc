#include "loadgen/worker.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace gop::loadgen {

namespace {
constexpr int64_t kSweepPeriodNs = 20'000'000;  // deadline resolution

std::chrono::steady_clock::time_point ToTimePoint(int64_t ns) {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

int64_t ToMicros(int64_t ns) { return ns <= 0 ? 0 : ns / 1000; }
}  // namespace

Worker::Worker(int index, const RunContext& ctx)
    : index_(index),
      ctx_(ctx),
      io_(1),
      sweep_timer_(io_),
      schedule_timer_(io_),
      end_timer_(io_),
      stop_timer_(io_),
      rng_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)) {
  stats_.operations.resize(ctx.scenario->operations.size());
}

Worker::~Worker() {
  // VUs hold sockets of io_: close them before the context goes.
  vus_.clear();
}

VirtualUser* Worker::NewVu() {
  int local = static_cast<int>(vus_.size());
  int64_t id = 1 + index_ + static_cast<int64_t>(local) * ctx_.threads;
  vus_.push_back(std::make_unique<VirtualUser>(*this, id, local));
  remaining_.push_back(0);
  return vus_.back().get();
}

void Worker::Begin(VirtualUser* vu, int64_t intended_ns) {
  ++active_;
  vu->StartIteration(intended_ns);
}

void Worker::StartPhase(const PhasePlan& plan, std::function<void()> on_done) {
  plan_ = plan;
  on_done_ = std::move(on_done);
  phase_active_ = true;
  ++phase_id_;
  active_ = 0;
  idle_.clear();
  ArmSweep();
  const uint64_t phase = phase_id_;
  end_timer_.expires_at(ToTimePoint(plan_.measure_end_ns));
  end_timer_.async_wait([this, phase](const boost::system::error_code& ec) {
    if (!ec && phase == phase_id_) OnMeasureEnd();
  });
  stop_timer_.expires_at(ToTimePoint(plan_.hard_stop_ns));
  stop_timer_.async_wait([this, phase](const boost::system::error_code& ec) {
    if (!ec && phase == phase_id_) StopNow();
  });

  switch (plan_.executor) {
    case Executor::kConstantVus:
    case Executor::kPerVuIterations: {
      while (static_cast<int>(vus_.size()) < plan_.vus) NewVu();
      for (int i = 0; i < plan_.vus; ++i) {
        remaining_[i] = plan_.executor == Executor::kPerVuIterations ? plan_.iterations : 0;
      }
      for (int i = 0; i < plan_.vus; ++i) {
        if (plan_.executor == Executor::kPerVuIterations) --remaining_[i];
        Begin(vus_[i].get(), 0);
      }
      break;
    }
    case Executor::kConstantArrivalRate: {
      while (static_cast<int>(vus_.size()) < std::min(plan_.vus, plan_.max_vus)) NewVu();
      int usable = std::min(static_cast<int>(vus_.size()), plan_.max_vus);
      for (int i = usable - 1; i >= 0; --i) idle_.push_back(vus_[i].get());
      next_index_ = 0;
      schedule_over_ = false;
      interval_ns_ = 1e9 / plan_.rate;
      int64_t now = NowNs();
      StartDue(now);
      ArmSchedule(now);
      break;
    }
  }
  MaybeFinish(NowNs());
}

void Worker::ArmSweep() {
  if (sweeping_) return;
  sweeping_ = true;
  sweep_timer_.expires_after(std::chrono::nanoseconds(kSweepPeriodNs));
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    sweeping_ = false;
    if (ec) return;
    Sweep();
  });
}

void Worker::Sweep() {
  int64_t now = NowNs();
  // By index: a deadline may end an iteration, which may add VUs.
  for (size_t i = 0; i < vus_.size(); ++i) vus_[i]->CheckDeadline(now);
  if (phase_active_) {
    if (plan_.executor == Executor::kConstantArrivalRate) StartDue(now);
    ArmSweep();
  }
}

int64_t Worker::IntendedNs(int64_t index) const {
  return plan_.start_ns + plan_.first_offset_ns +
         static_cast<int64_t>(std::llround(static_cast<double>(index) * interval_ns_));
}

void Worker::StartDue(int64_t now) {
  while (phase_active_ && !schedule_over_) {
    int64_t intended = IntendedNs(next_index_);
    if (intended > now || intended >= plan_.measure_end_ns) break;
    if (now - intended > ctx_.max_start_lag_ns) {
      // Every iteration that is now too late to start is dropped at once.
      int64_t late_until = now - ctx_.max_start_lag_ns;  // intended < this: drop
      int64_t last = static_cast<int64_t>(
          std::ceil(static_cast<double>(late_until - plan_.start_ns - plan_.first_offset_ns) /
                    interval_ns_));
      int64_t end_index = std::max(next_index_ + 1, last);
      for (int64_t k = next_index_; k < end_index; ++k) {
        int64_t t = IntendedNs(k);
        if (t >= plan_.measure_end_ns) break;
        if (plan_.record && t >= plan_.measure_start_ns) ++stats_.dropped_iterations;
      }
      next_index_ = end_index;
      continue;
    }
    VirtualUser* vu = nullptr;
    if (!idle_.empty()) {
      vu = idle_.back();
      idle_.pop_back();
    } else if (static_cast<int>(vus_.size()) < plan_.max_vus) {
      vu = NewVu();
    } else {
      break;  // backlog: waits for a VU (timed from its intended start)
    }
    ++next_index_;
    Begin(vu, intended);
  }
}

void Worker::ArmSchedule(int64_t now) {
  if (!phase_active_ || schedule_over_) return;
  int64_t intended = IntendedNs(next_index_);
  if (intended >= plan_.measure_end_ns) return;
  // A backlog waits for a VU to free up; wake again when it must be dropped.
  int64_t at = intended > now ? intended : intended + ctx_.max_start_lag_ns + 1;
  const uint64_t phase = phase_id_;
  schedule_timer_.expires_at(ToTimePoint(at));
  schedule_timer_.async_wait([this, phase](const boost::system::error_code& ec) {
    if (ec || phase != phase_id_) return;
    int64_t t = NowNs();
    StartDue(t);
    ArmSchedule(t);
  });
}

void Worker::DropUnstarted() {
  for (int64_t k = next_index_;; ++k) {
    int64_t t = IntendedNs(k);
    if (t >= plan_.measure_end_ns) break;
    if (plan_.record && t >= plan_.measure_start_ns) ++stats_.dropped_iterations;
  }
  schedule_over_ = true;
}

void Worker::OnMeasureEnd() {
  if (!phase_active_) return;
  if (plan_.executor == Executor::kConstantArrivalRate) {
    schedule_timer_.cancel();
    StartDue(NowNs());
    DropUnstarted();
  }
  MaybeFinish(NowNs());
}

void Worker::OnIterationEnd(VirtualUser* vu, int64_t now) {
  --active_;
  if (Recording(now)) ++stats_.iterations;
  if (!phase_active_) return;
  switch (plan_.executor) {
    case Executor::kConstantVus:
      if (now < plan_.measure_end_ns) {
        Begin(vu, 0);
        return;
      }
      break;
    case Executor::kPerVuIterations:
      if (now < plan_.measure_end_ns && remaining_[vu->local_index()] > 0) {
        --remaining_[vu->local_index()];
        Begin(vu, 0);
        return;
      }
      break;
    case Executor::kConstantArrivalRate:
      if (vu->local_index() < plan_.max_vus) idle_.push_back(vu);
      StartDue(now);
      break;
  }
  MaybeFinish(now);
}

void Worker::MaybeFinish(int64_t now) {
  if (!phase_active_ || active_ > 0) return;
  bool over = now >= plan_.measure_end_ns;
  if (plan_.executor == Executor::kPerVuIterations) over = true;  // nothing left to start
  if (plan_.executor == Executor::kConstantArrivalRate && !over) return;
  if (over) Finish();
}

void Worker::StopNow() {
  if (!phase_active_) return;
  for (auto& vu : vus_) {
    if (vu->busy()) {
      vu->Abort();
      if (plan_.record) ++stats_.interrupted_iterations;
    }
  }
  active_ = 0;
  Finish();
}

void Worker::Finish() {
  phase_active_ = false;
  ++phase_id_;
  schedule_timer_.cancel();
  end_timer_.cancel();
  stop_timer_.cancel();
  if (on_done_) {
    auto done = std::move(on_done_);
    on_done_ = nullptr;
    done();
  }
}

void Worker::TakeInterval(IntervalStats* into) {
  (void)into->latency.Merge(interval_.latency);
  into->requests += interval_.requests;
  into->errors += interval_.errors;
  interval_.latency.Reset();
  interval_.requests = 0;
  interval_.errors = 0;
}

void Worker::RecordResponse(int op, int status, int64_t now, int64_t corrected_ns,
                            int64_t uncorrected_ns, int64_t bytes_sent, int64_t bytes_received,
                            std::optional<ErrorKind> error) {
  const int64_t corrected_us = ToMicros(corrected_ns);
  ++interval_.requests;
  interval_.latency.Record(corrected_us);
  if (error) ++interval_.errors;
  if (!Recording(now)) return;
  OperationCounters& c = stats_.operations[op];
  c.latency.Record(corrected_us);
  stats_.uncorrected.Record(ToMicros(uncorrected_ns));
  ++c.requests;
  ++stats_.requests;
  if (status >= 0 && status < static_cast<int>(c.status.size())) ++c.status[status];
  c.bytes_sent += bytes_sent;
  c.bytes_received += bytes_received;
  if (error) {
    ++c.errors;
    ++stats_.errors;
    ++c.error_kinds[static_cast<int>(*error)];
  }
  stats_.last_response_ns = now;
}

void Worker::RecordFailure(int op, ErrorKind kind, int64_t now, int64_t bytes_sent,
                           int64_t bytes_received) {
  ++interval_.requests;
  ++interval_.errors;
  if (!Recording(now)) return;
  OperationCounters& c = stats_.operations[op];
  ++c.requests;
  ++c.errors;
  ++stats_.requests;
  ++stats_.errors;
  ++c.error_kinds[static_cast<int>(kind)];
  c.bytes_sent += bytes_sent;
  c.bytes_received += bytes_received;
  stats_.last_response_ns = now;
}

void Worker::RecordCheck(bool passed, int64_t now) {
  if (!Recording(now)) return;
  if (passed) {
    ++stats_.checks_passed;
  } else {
    ++stats_.checks_failed;
  }
}

}  // namespace gop::loadgen

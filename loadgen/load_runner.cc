#include "loadgen/load_runner.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "loadgen/request_builder.h"
#include "loadgen/run_context.h"
#include "loadgen/target_url.h"
#include "loadgen/worker.h"

namespace gop::loadgen {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kPrewarm: return "prewarm";
    case Phase::kWarmup: return "warmup";
    case Phase::kMeasuring: return "measuring";
  }
  return "unknown";
}

namespace {

constexpr int64_t kSecondNs = 1'000'000'000;

int64_t ToNs(absl::Duration d) { return absl::ToInt64Nanoseconds(d); }

absl::StatusOr<tcp::endpoint> Resolve(const TargetUrl& url) {
  boost::system::error_code ec;
  asio::ip::address addr = asio::ip::make_address(url.host, ec);
  if (!ec) return tcp::endpoint(addr, url.port);
  asio::io_context io;
  tcp::resolver resolver(io);
  auto results = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec || results.empty()) {
    return absl::UnavailableError(
        absl::StrCat("cannot resolve host \"", url.host, "\": ", ec.message()));
  }
  for (const auto& r : results) {
    if (r.endpoint().address().is_v4()) return r.endpoint();
  }
  return results.begin()->endpoint();
}

// Splits `total` over `parts` as evenly as possible; part `i`'s share.
int Share(int total, int parts, int i) { return total / parts + (i < total % parts ? 1 : 0); }

}  // namespace

class LoadRunner::Impl {
 public:
  Impl(Scenario scenario, LoadOptions options, TargetUrl url, RequestBuilder requests,
       tcp::endpoint endpoint)
      : scenario_(std::move(scenario)),
        options_(std::move(options)),
        url_(std::move(url)),
        requests_(std::move(requests)) {
    ctx_.scenario = &scenario_;
    ctx_.requests = &requests_;
    ctx_.endpoint = endpoint;
    ctx_.threads = EffectiveThreads(options_);
    ctx_.connect_timeout_ns = ToNs(options_.connect_timeout);
    ctx_.request_timeout_ns = ToNs(options_.request_timeout);
    ctx_.max_start_lag_ns = ToNs(options_.max_start_lag);
    ctx_.read_buffer_bytes = options_.read_buffer_bytes;
  }

  ~Impl() { StopThreads(); }

  void Cancel() {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
  }

  absl::StatusOr<LoadResult> Run(const std::function<void(const ProgressSample&)>& on_progress);

 private:
  absl::Status Preflight();
  void StartThreads();
  void StopThreads();
  // Runs one phase on every worker and reports progress until all are done.
  void RunPhase(Phase phase, const std::vector<PhasePlan>& plans, int64_t phase_total_ns,
                const std::function<void(const ProgressSample&)>& on_progress);
  // Collects the last interval from every worker.
  void Sample(IntervalStats* interval, int64_t* requests, int64_t* errors);
  LoadResult Assemble(int64_t measure_start_ns, int64_t measure_end_ns);

  Scenario scenario_;
  LoadOptions options_;
  TargetUrl url_;
  RequestBuilder requests_;
  RunContext ctx_;

  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::vector<TimePoint> timeline_;

  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  int done_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_done_ns_ ABSL_GUARDED_BY(mu_) = 0;
  int pending_samples_ ABSL_GUARDED_BY(mu_) = 0;
  IntervalStats sample_ ABSL_GUARDED_BY(mu_);
  int64_t sample_requests_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t sample_errors_ ABSL_GUARDED_BY(mu_) = 0;
};

absl::Status LoadRunner::Impl::Preflight() {
  asio::io_context io(1);
  tcp::socket socket(io);
  boost::system::error_code result = asio::error::would_block;
  socket.async_connect(ctx_.endpoint, [&](const boost::system::error_code& ec) { result = ec; });
  io.run_for(std::chrono::nanoseconds(ctx_.connect_timeout_ns));
  std::string target = absl::StrCat("http://", url_.host_header);
  if (result == asio::error::would_block) {
    return absl::DeadlineExceededError(absl::StrCat("cannot connect to ", target, " within ",
                                                    absl::FormatDuration(options_.connect_timeout)));
  }
  if (result) {
    return absl::UnavailableError(absl::StrCat("cannot connect to ", target, ": ", result.message()));
  }
  return absl::OkStatus();
}

void LoadRunner::Impl::StartThreads() {
  for (int i = 0; i < ctx_.threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(i, ctx_));
    guards_.push_back(asio::make_work_guard(workers_.back()->io()));
  }
  for (auto& w : workers_) {
    Worker* worker = w.get();
    threads_.emplace_back([worker] { worker->io().run(); });
  }
}

void LoadRunner::Impl::StopThreads() {
  guards_.clear();
  for (auto& w : workers_) w->io().stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void LoadRunner::Impl::Sample(IntervalStats* interval, int64_t* requests, int64_t* errors) {
  {
    absl::MutexLock lock(&mu_);
    sample_.latency.Reset();
    sample_.requests = sample_.errors = 0;
    sample_requests_ = sample_errors_ = 0;
    pending_samples_ = static_cast<int>(workers_.size());
  }
  for (auto& w : workers_) {
    Worker* worker = w.get();
    asio::post(worker->io(), [this, worker] {
      absl::MutexLock lock(&mu_);
      worker->TakeInterval(&sample_);
      sample_requests_ += worker->stats().requests;
      sample_errors_ += worker->stats().errors;
      --pending_samples_;
    });
  }
  absl::MutexLock lock(&mu_);
  auto all_in = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return pending_samples_ == 0; };
  mu_.AwaitWithTimeout(absl::Condition(&all_in), absl::Seconds(2));
  *interval = sample_;
  *requests = sample_requests_;
  *errors = sample_errors_;
}

void LoadRunner::Impl::RunPhase(Phase phase, const std::vector<PhasePlan>& plans,
                                int64_t phase_total_ns,
                                const std::function<void(const ProgressSample&)>& on_progress) {
  const PhasePlan& any = plans.front();
  {
    absl::MutexLock lock(&mu_);
    done_ = 0;
  }
  for (size_t i = 0; i < workers_.size(); ++i) {
    Worker* worker = workers_[i].get();
    PhasePlan plan = plans[i];
    asio::post(worker->io(), [this, worker, plan] {
      worker->StartPhase(plan, [this] {
        absl::MutexLock lock(&mu_);
        ++done_;
        last_done_ns_ = std::max(last_done_ns_, NowNs());
      });
    });
  }
  const int n = static_cast<int>(workers_.size());
  const bool measured = phase != Phase::kPrewarm;
  int64_t tick_start = any.start_ns;
  int64_t next_tick = any.start_ns + kSecondNs;
  if (measured && any.measure_start_ns > any.start_ns && any.measure_start_ns < next_tick) {
    next_tick = any.measure_start_ns;
  }
  bool stop_sent = false;
  while (true) {
    bool all_done, cancel;
    {
      absl::MutexLock lock(&mu_);
      auto wake = [this, n, stop_sent]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return done_ == n || (cancelled_ && !stop_sent);
      };
      int64_t wait_ns = std::max<int64_t>(0, next_tick - NowNs());
      if (!wake()) {
        mu_.AwaitWithTimeout(absl::Condition(&wake), absl::Nanoseconds(wait_ns));
      }
      all_done = done_ == n;
      cancel = cancelled_;
    }
    int64_t now = NowNs();
    // Safety net: the workers stop themselves at the hard stop; this only
    // matters if a loop were wedged.
    if (!all_done && !stop_sent && (cancel || now > any.hard_stop_ns + kSecondNs)) {
      for (auto& w : workers_) {
        Worker* worker = w.get();
        asio::post(worker->io(), [worker] { worker->StopNow(); });
      }
      stop_sent = true;
    }
    if (now >= next_tick || all_done) {
      ProgressSample s;
      IntervalStats interval;
      Sample(&interval, &s.requests, &s.errors);
      int64_t tick_end = all_done ? now : next_tick;
      Phase current = phase;
      if (measured) current = tick_end <= any.measure_start_ns ? Phase::kWarmup : Phase::kMeasuring;
      s.phase = current;
      int64_t phase_begin = current == Phase::kMeasuring ? any.measure_start_ns : any.start_ns;
      s.elapsed = absl::Nanoseconds(std::max<int64_t>(0, now - phase_begin));
      s.phase_total = absl::Nanoseconds(
          current == Phase::kMeasuring ? any.measure_end_ns - any.measure_start_ns
          : current == Phase::kWarmup  ? any.measure_start_ns - any.start_ns
                                       : phase_total_ns);
      double secs = std::max<double>(1e-3, (tick_end - tick_start) / 1e9);
      s.rps = interval.requests / secs;
      if (current == Phase::kMeasuring && tick_end > any.measure_start_ns) {
        TimePoint p;
        p.second = (tick_start - any.measure_start_ns) / kSecondNs;
        p.requests = interval.requests;
        p.errors = interval.errors;
        p.p50_us = interval.latency.ValueAtPercentile(50);
        p.p99_us = interval.latency.ValueAtPercentile(99);
        if (interval.requests > 0 || !all_done) timeline_.push_back(p);
      }
      s.interval_latency = std::move(interval.latency);
      if (on_progress) on_progress(s);
      tick_start = next_tick;
      next_tick += kSecondNs;
      if (measured && tick_start < any.measure_start_ns && next_tick > any.measure_start_ns) {
        next_tick = any.measure_start_ns;
      }
      if (now > next_tick) {  // a slow callback: skip missed ticks
        tick_start = now;
        next_tick = now + kSecondNs;
      }
    }
    if (all_done) break;
  }
}

absl::StatusOr<LoadResult> LoadRunner::Impl::Run(
    const std::function<void(const ProgressSample&)>& on_progress) {
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_) return absl::CancelledError("cancelled before the run started");
  }
  if (absl::Status st = Preflight(); !st.ok()) return st;
  StartThreads();
  const int n = ctx_.threads;
  const int max_vus = EffectiveMaxVus(options_);
  std::vector<PhasePlan> plans(n);

  if (options_.prewarm_iterations > 0) {
    int vus = options_.executor == Executor::kConstantArrivalRate
                  ? (options_.vus > 0 ? options_.vus : std::min(max_vus, 10))
                  : options_.vus;
    int64_t start = NowNs();
    for (int i = 0; i < n; ++i) {
      PhasePlan& p = plans[i];
      p = PhasePlan{};
      p.executor = Executor::kPerVuIterations;
      p.vus = Share(vus, n, i);
      p.iterations = options_.prewarm_iterations;
      p.record = false;
      p.start_ns = p.measure_start_ns = start;
      p.measure_end_ns = p.hard_stop_ns = start + ToNs(options_.prewarm_timeout);
    }
    RunPhase(Phase::kPrewarm, plans, ToNs(options_.prewarm_timeout), on_progress);
  }

  bool cancelled;
  {
    absl::MutexLock lock(&mu_);
    cancelled = cancelled_;
  }
  int64_t start = NowNs();
  int64_t measure_start = start + ToNs(options_.warmup);
  int64_t measure_end = measure_start + ToNs(options_.duration);
  if (!cancelled) {
    for (int i = 0; i < n; ++i) {
      PhasePlan& p = plans[i];
      p = PhasePlan{};
      p.executor = options_.executor;
      p.record = true;
      p.start_ns = start;
      p.measure_start_ns = measure_start;
      p.measure_end_ns = measure_end;
      p.hard_stop_ns = measure_end + ToNs(options_.graceful_stop);
      switch (options_.executor) {
        case Executor::kConstantVus:
          p.vus = Share(options_.vus, n, i);
          break;
        case Executor::kPerVuIterations:
          p.vus = Share(options_.vus, n, i);
          p.iterations = options_.iterations;
          break;
        case Executor::kConstantArrivalRate:
          p.vus = Share(options_.vus, n, i);
          p.max_vus = std::max(1, Share(max_vus, n, i));
          p.rate = options_.rate / n;
          // Interleave the workers' schedules into one even stream.
          p.first_offset_ns = static_cast<int64_t>(i * 1e9 / options_.rate);
          break;
      }
    }
    RunPhase(Phase::kMeasuring, plans, ToNs(options_.duration), on_progress);
  }
  StopThreads();
  LoadResult result = Assemble(measure_start, measure_end + ToNs(options_.graceful_stop));
  absl::MutexLock lock(&mu_);
  result.cancelled = cancelled_;
  return result;
}

LoadResult LoadRunner::Impl::Assemble(int64_t measure_start_ns, int64_t hard_stop_ns) {
  LoadResult r;
  r.scenario = scenario_.name;
  r.executor = options_.executor;
  r.overall.name = "overall";
  r.operations.resize(scenario_.operations.size());
  for (size_t op = 0; op < r.operations.size(); ++op) {
    OperationStats& o = r.operations[op];
    o.name = scenario_.operations[op];
    for (const auto& w : workers_) {
      const OperationCounters& c = w->stats().operations[op];
      (void)o.latency.Merge(c.latency);
      o.requests += c.requests;
      o.errors += c.errors;
      o.bytes_sent += c.bytes_sent;
      o.bytes_received += c.bytes_received;
      for (size_t code = 0; code < c.status.size(); ++code) {
        if (c.status[code] > 0) o.status_counts[static_cast<int>(code)] += c.status[code];
      }
      for (int k = 0; k < kErrorKindCount; ++k) {
        if (c.error_kinds[k] > 0) {
          o.error_kinds[std::string(ErrorKindName(static_cast<ErrorKind>(k)))] += c.error_kinds[k];
        }
      }
    }
    (void)r.overall.Merge(o);
  }
  int64_t end_ns = 0;
  for (const auto& w : workers_) {
    const WorkerStats& s = w->stats();
    (void)r.latency_uncorrected.Merge(s.uncorrected);
    r.iterations += s.iterations;
    r.dropped_iterations += s.dropped_iterations;
    r.interrupted_iterations += s.interrupted_iterations;
    r.checks_passed += s.checks_passed;
    r.checks_failed += s.checks_failed;
    r.max_vus_used += w->vus_created();
  }
  {
    absl::MutexLock lock(&mu_);
    end_ns = std::min(last_done_ns_, hard_stop_ns);
  }
  r.measured_seconds = std::max<double>(0, (end_ns - measure_start_ns) / 1e9);
  r.timeline = timeline_;
  return r;
}

LoadRunner::LoadRunner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LoadRunner::~LoadRunner() = default;

absl::StatusOr<std::unique_ptr<LoadRunner>> LoadRunner::Create(Scenario scenario,
                                                                LoadOptions options) {
  if (absl::Status st = Validate(options); !st.ok()) return st;
  if (scenario.steps.empty()) return absl::InvalidArgumentError("scenario has no steps");
  absl::StatusOr<TargetUrl> url = ParseTargetUrl(options.base_url);
  if (!url.ok()) return url.status();
  absl::StatusOr<RequestBuilder> requests = RequestBuilder::Create(scenario, *url, options.auth);
  if (!requests.ok()) return requests.status();
  absl::StatusOr<tcp::endpoint> endpoint = Resolve(*url);
  if (!endpoint.ok()) return endpoint.status();
  return std::unique_ptr<LoadRunner>(new LoadRunner(std::make_unique<Impl>(
      std::move(scenario), std::move(options), *std::move(url), *std::move(requests), *endpoint)));
}

absl::StatusOr<LoadResult> LoadRunner::Run(
    std::function<void(const ProgressSample&)> on_progress) {
  return impl_->Run(on_progress);
}

void LoadRunner::Cancel() { impl_->Cancel(); }

}  // namespace gop::loadgen

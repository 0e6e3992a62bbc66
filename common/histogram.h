#ifndef GOP_COMMON_HISTOGRAM_H_
#define GOP_COMMON_HISTOGRAM_H_

#include <bit>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gop {
namespace v1 {
class Histogram;
}

// A latency histogram with HdrHistogram's log-linear bucket layout.
//
// Values are integers, by convention microseconds. Every value between the
// lowest discernible value and the highest trackable value is kept with
// `significant_digits` decimal digits of precision; larger values are counted
// in OverflowCount() (and still move Max()/Mean()), never dropped silently.
//
// Record() is O(1) and never allocates. Not thread-safe: use one histogram per
// thread and Merge() them.
class Histogram {
 public:
  struct Layout {
    int64_t lowest_discernible_value = 1;             // µs
    int64_t highest_trackable_value = 3'600'000'000;  // µs (1 hour)
    int significant_digits = 3;

    bool operator==(const Layout&) const = default;
  };

  // The default layout: 1 µs .. 1 h, 3 significant digits.
  Histogram();
  // Fails on an impossible layout (lowest < 1, highest < 2 x lowest, digits
  // outside 1..5).
  static absl::StatusOr<Histogram> Create(const Layout& layout);

  // Records one value (negative values count as 0). Inline: this is the
  // load generator's hot path.
  void Record(int64_t value) {
    if (value < 0) value = 0;
    if (value > layout_.highest_trackable_value) [[unlikely]] {
      ++overflow_count_;
    } else {
      ++counts_[CountsIndexFor(value)];
    }
    ++total_count_;
    sum_ += value;
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }
  void RecordN(int64_t value, int64_t count);

  // Adds every count of `other`. Fails, changing nothing, when layouts differ.
  absl::Status Merge(const Histogram& other);
  void Reset();

  // HdrHistogram's percentile: the smallest recorded value whose cumulative
  // count reaches ceil(p/100 x total), reported as the highest value that is
  // equivalent to it at this histogram's precision (never above Max()).
  // p is clamped to [0, 100]; 0 when empty.
  int64_t ValueAtPercentile(double percentile) const;

  int64_t TotalCount() const { return total_count_; }
  int64_t OverflowCount() const { return overflow_count_; }
  int64_t Min() const { return total_count_ == 0 ? 0 : min_; }
  int64_t Max() const { return total_count_ == 0 ? 0 : max_; }
  // Exact mean of the recorded values.
  double Mean() const;
  // Standard deviation, from bucket midpoints (bucket precision).
  double StdDev() const;
  int64_t Sum() const { return sum_; }

  const Layout& layout() const { return layout_; }

  // Bucket geometry, for exporters.
  int BucketCount() const { return bucket_count_; }
  int SubBucketCount() const { return sub_bucket_count_; }
  int CountsLength() const { return static_cast<int>(counts_.size()); }
  int64_t CountAtIndex(int index) const { return counts_[index]; }
  int64_t ValueFromIndex(int index) const;
  // Highest value that falls into the same bucket slot as `value`.
  int64_t HighestEquivalentValue(int64_t value) const;
  int64_t LowestEquivalentValue(int64_t value) const;
  int64_t MedianEquivalentValue(int64_t value) const;

  void ToProto(v1::Histogram* out) const;
  // Rebuilds a histogram from its wire form. Rejects (with a status, never a
  // crash) impossible layouts, truncated or corrupt counts, and counts that
  // disagree with the totals.
  static absl::StatusOr<Histogram> FromProto(const v1::Histogram& proto);

  // Exact equality of layout, counts and totals.
  bool operator==(const Histogram& other) const;

 private:
  explicit Histogram(const Layout& layout);
  int CountsIndexFor(int64_t value) const {
    const int pow2_ceiling = 64 - std::countl_zero(static_cast<uint64_t>(value | sub_bucket_mask_));
    const int bucket_index = pow2_ceiling - unit_magnitude_ - (sub_bucket_half_count_magnitude_ + 1);
    const int sub_bucket_index = static_cast<int>(value >> (bucket_index + unit_magnitude_));
    return ((bucket_index + 1) << sub_bucket_half_count_magnitude_) + (sub_bucket_index - sub_bucket_half_count_);
  }
  int64_t SizeOfEquivalentRange(int64_t value) const;

  Layout layout_;
  int unit_magnitude_ = 0;
  int sub_bucket_half_count_magnitude_ = 0;
  int sub_bucket_count_ = 0;
  int sub_bucket_half_count_ = 0;
  int64_t sub_bucket_mask_ = 0;
  int bucket_count_ = 0;

  std::vector<int64_t> counts_;
  int64_t total_count_ = 0;
  int64_t overflow_count_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
  int64_t sum_ = 0;
};

}  // namespace gop

#endif  // GOP_COMMON_HISTOGRAM_H_

#include "common/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "gop/v1/histogram.pb.h"

namespace gop {
namespace {

constexpr int kMaxVarintBytes = 10;

void AppendZigZagVarint(int64_t value, std::string* out) {
  uint64_t zz = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  while (zz >= 0x80) {
    out->push_back(static_cast<char>((zz & 0x7f) | 0x80));
    zz >>= 7;
  }
  out->push_back(static_cast<char>(zz));
}

// Reads one zig-zag varint at *pos; false on truncated or overlong input.
bool ReadZigZagVarint(const std::string& in, size_t* pos, int64_t* value) {
  uint64_t result = 0;
  for (int i = 0; i < kMaxVarintBytes; ++i) {
    if (*pos >= in.size()) return false;
    const uint8_t byte = static_cast<uint8_t>(in[(*pos)++]);
    result |= static_cast<uint64_t>(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *value = static_cast<int64_t>(result >> 1) ^ -static_cast<int64_t>(result & 1);
      return true;
    }
  }
  return false;
}

absl::Status ValidateLayout(const Histogram::Layout& layout) {
  if (layout.lowest_discernible_value < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("lowest discernible value must be >= 1, got ", layout.lowest_discernible_value));
  }
  if (layout.highest_trackable_value < 2 * layout.lowest_discernible_value) {
    return absl::InvalidArgumentError(absl::StrCat(
        "highest trackable value (", layout.highest_trackable_value,
        ") must be at least twice the lowest discernible value (", layout.lowest_discernible_value, ")"));
  }
  if (layout.significant_digits < 1 || layout.significant_digits > 5) {
    return absl::InvalidArgumentError(
        absl::StrCat("significant digits must be in 1..5, got ", layout.significant_digits));
  }
  return absl::OkStatus();
}

}  // namespace

Histogram::Histogram() : Histogram(Layout{}) {}

Histogram::Histogram(const Layout& layout) : layout_(layout) {
  // Enough sub-buckets that one bucket step is at most 1 in 10^digits.
  const int64_t largest_single_unit = 2 * static_cast<int64_t>(std::pow(10, layout.significant_digits));
  const int sub_bucket_count_magnitude =
      static_cast<int>(std::ceil(std::log2(static_cast<double>(largest_single_unit))));
  sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude, 1) - 1;
  unit_magnitude_ = static_cast<int>(std::floor(std::log2(static_cast<double>(layout.lowest_discernible_value))));
  sub_bucket_count_ = 1 << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = (static_cast<int64_t>(sub_bucket_count_) - 1) << unit_magnitude_;

  // Buckets double in width until the highest trackable value fits.
  int64_t smallest_untrackable = static_cast<int64_t>(sub_bucket_count_) << unit_magnitude_;
  int buckets = 1;
  while (smallest_untrackable <= layout.highest_trackable_value) {
    if (smallest_untrackable > INT64_MAX / 2) {
      ++buckets;
      break;
    }
    smallest_untrackable <<= 1;
    ++buckets;
  }
  bucket_count_ = buckets;
  counts_.assign(static_cast<size_t>(bucket_count_ + 1) * sub_bucket_half_count_, 0);
}

absl::StatusOr<Histogram> Histogram::Create(const Layout& layout) {
  if (absl::Status s = ValidateLayout(layout); !s.ok()) return s;
  return Histogram(layout);
}

int64_t Histogram::ValueFromIndex(int index) const {
  int bucket_index = (index >> sub_bucket_half_count_magnitude_) - 1;
  int sub_bucket_index = (index & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket_index < 0) {
    sub_bucket_index -= sub_bucket_half_count_;
    bucket_index = 0;
  }
  return static_cast<int64_t>(sub_bucket_index) << (bucket_index + unit_magnitude_);
}

int64_t Histogram::SizeOfEquivalentRange(int64_t value) const {
  const int pow2_ceiling = 64 - std::countl_zero(static_cast<uint64_t>(value | sub_bucket_mask_));
  int bucket_index = pow2_ceiling - unit_magnitude_ - (sub_bucket_half_count_magnitude_ + 1);
  const int64_t sub_bucket_index = value >> (bucket_index + unit_magnitude_);
  if (sub_bucket_index >= sub_bucket_count_) ++bucket_index;
  return int64_t{1} << (unit_magnitude_ + bucket_index);
}

int64_t Histogram::LowestEquivalentValue(int64_t value) const {
  return ValueFromIndex(CountsIndexFor(value));
}

int64_t Histogram::HighestEquivalentValue(int64_t value) const {
  return LowestEquivalentValue(value) + SizeOfEquivalentRange(value) - 1;
}

int64_t Histogram::MedianEquivalentValue(int64_t value) const {
  return LowestEquivalentValue(value) + SizeOfEquivalentRange(value) / 2;
}

void Histogram::RecordN(int64_t value, int64_t count) {
  if (count <= 0) return;
  if (value < 0) value = 0;
  if (value > layout_.highest_trackable_value) {
    overflow_count_ += count;
  } else {
    counts_[CountsIndexFor(value)] += count;
  }
  total_count_ += count;
  sum_ += value * count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

absl::Status Histogram::Merge(const Histogram& other) {
  if (!(layout_ == other.layout_)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot merge histograms with different layouts: [", layout_.lowest_discernible_value, ", ",
        layout_.highest_trackable_value, "] x ", layout_.significant_digits, " digits vs [",
        other.layout_.lowest_discernible_value, ", ", other.layout_.highest_trackable_value, "] x ",
        other.layout_.significant_digits, " digits"));
  }
  if (other.total_count_ == 0) return absl::OkStatus();
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_count_ += other.total_count_;
  overflow_count_ += other.overflow_count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  return absl::OkStatus();
}

void Histogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_count_ = 0;
  overflow_count_ = 0;
  sum_ = 0;
  min_ = INT64_MAX;
  max_ = 0;
}

int64_t Histogram::ValueAtPercentile(double percentile) const {
  if (total_count_ == 0) return 0;
  const double p = std::clamp(percentile, 0.0, 100.0);
  // Nearest rank; the small epsilon keeps 99% of 1000 at rank 990 despite
  // binary floating point.
  int64_t rank = static_cast<int64_t>(std::ceil(p / 100.0 * static_cast<double>(total_count_) - 1e-9));
  rank = std::clamp<int64_t>(rank, 1, total_count_);
  int64_t cumulative = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    cumulative += counts_[i];
    if (cumulative >= rank) {
      return std::min(HighestEquivalentValue(ValueFromIndex(static_cast<int>(i))), max_);
    }
  }
  // The rank falls among overflowed values: the exact maximum is all we know.
  return max_;
}

double Histogram::Mean() const {
  return total_count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(total_count_);
}

double Histogram::StdDev() const {
  if (total_count_ == 0) return 0.0;
  const double mean = Mean();
  double squares = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const double dev = static_cast<double>(MedianEquivalentValue(ValueFromIndex(static_cast<int>(i)))) - mean;
    squares += dev * dev * static_cast<double>(counts_[i]);
  }
  if (overflow_count_ > 0) {
    const double dev = static_cast<double>(max_) - mean;
    squares += dev * dev * static_cast<double>(overflow_count_);
  }
  return std::sqrt(squares / static_cast<double>(total_count_));
}

void Histogram::ToProto(v1::Histogram* out) const {
  out->Clear();
  out->set_lowest_discernible_value(layout_.lowest_discernible_value);
  out->set_highest_trackable_value(layout_.highest_trackable_value);
  out->set_significant_digits(layout_.significant_digits);
  out->set_total_count(total_count_);
  out->set_overflow_count(overflow_count_);
  out->set_min_value(Min());
  out->set_max_value(Max());
  out->set_sum(sum_);
  int length = static_cast<int>(counts_.size());
  while (length > 0 && counts_[length - 1] == 0) --length;
  out->set_counts_length(length);
  std::string* encoded = out->mutable_counts();
  int64_t zeros = 0;
  for (int i = 0; i < length; ++i) {
    if (counts_[i] == 0) {
      ++zeros;
      continue;
    }
    if (zeros > 0) {
      AppendZigZagVarint(-zeros, encoded);
      zeros = 0;
    }
    AppendZigZagVarint(counts_[i], encoded);
  }
}

absl::StatusOr<Histogram> Histogram::FromProto(const v1::Histogram& proto) {
  const Layout layout{proto.lowest_discernible_value(), proto.highest_trackable_value(),
                      proto.significant_digits()};
  if (absl::Status s = ValidateLayout(layout); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("histogram layout: ", s.message()));
  }
  Histogram h(layout);
  if (proto.counts_length() < 0 || proto.counts_length() > h.CountsLength()) {
    return absl::InvalidArgumentError(absl::StrCat("histogram counts_length ", proto.counts_length(),
                                                   " does not fit the layout's ", h.CountsLength(), " slots"));
  }
  const std::string& encoded = proto.counts();
  size_t pos = 0;
  int index = 0;
  int64_t in_range = 0;
  while (pos < encoded.size()) {
    int64_t token = 0;
    if (!ReadZigZagVarint(encoded, &pos, &token)) {
      return absl::InvalidArgumentError(absl::StrCat("histogram counts truncated or corrupt at byte ", pos));
    }
    if (token < 0) {
      if (token == INT64_MIN || -token > proto.counts_length() - index) {
        return absl::InvalidArgumentError("histogram counts skip past counts_length");
      }
      index += static_cast<int>(-token);
      continue;
    }
    if (token == 0) return absl::InvalidArgumentError("histogram counts contain an explicit zero");
    if (index >= proto.counts_length()) {
      return absl::InvalidArgumentError("histogram counts run past counts_length");
    }
    if (in_range > INT64_MAX - token) return absl::InvalidArgumentError("histogram counts overflow");
    h.counts_[index++] = token;
    in_range += token;
  }
  if (index != proto.counts_length()) {
    return absl::InvalidArgumentError(absl::StrCat("histogram counts describe ", index, " slots, header says ",
                                                   proto.counts_length()));
  }
  if (proto.overflow_count() < 0 || in_range + proto.overflow_count() != proto.total_count()) {
    return absl::InvalidArgumentError(absl::StrCat("histogram total_count ", proto.total_count(),
                                                   " disagrees with its counts (", in_range, " + ",
                                                   proto.overflow_count(), " overflow)"));
  }
  if (proto.total_count() > 0 &&
      (proto.min_value() < 0 || proto.min_value() > proto.max_value() || proto.sum() < 0)) {
    return absl::InvalidArgumentError("histogram min/max/sum are inconsistent");
  }
  h.total_count_ = proto.total_count();
  h.overflow_count_ = proto.overflow_count();
  h.sum_ = proto.sum();
  if (h.total_count_ > 0) {
    h.min_ = proto.min_value();
    h.max_ = proto.max_value();
  }
  return h;
}

bool Histogram::operator==(const Histogram& other) const {
  return layout_ == other.layout_ && total_count_ == other.total_count_ &&
         overflow_count_ == other.overflow_count_ && sum_ == other.sum_ && Min() == other.Min() &&
         Max() == other.Max() && counts_ == other.counts_;
}

}  // namespace gop

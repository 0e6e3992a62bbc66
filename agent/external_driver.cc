#include "agent/external_driver.h"

#include "absl/strings/str_cat.h"

namespace gop {

absl::StatusOr<TargetInfo> ExternalDriver::Start(const TargetConfig& config, absl::Duration /*health_timeout*/) {
  TargetInfo info;
  info.base_url = base_url_;
  info.auth = auth_;
  info.cpu_limit_mechanism = "none";
  info.warnings.push_back(absl::StrCat("external target: gop did not apply cpu=", config.cpu_limit,
                                       " web_threads=", config.web_threads, " db_pool=", config.db_pool,
                                       "; the figures describe the target as it was configured"));
  return info;
}

}  // namespace gop

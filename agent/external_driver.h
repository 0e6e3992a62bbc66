#ifndef GOP_AGENT_EXTERNAL_DRIVER_H_
#define GOP_AGENT_EXTERNAL_DRIVER_H_

#include <string>

#include "agent/target_driver.h"

namespace gop {

// A target gop neither starts nor reconfigures (load test only): every cell
// loads the same URL, whatever its threads and pool say; the result carries a
// warning saying so.
class ExternalDriver : public TargetDriver {
 public:
  ExternalDriver(std::string base_url, std::string auth)
      : base_url_(std::move(base_url)), auth_(std::move(auth)) {}

  std::string Kind() const override { return "external"; }
  absl::StatusOr<TargetInfo> Start(const TargetConfig& config, absl::Duration health_timeout) override;
  absl::StatusOr<double> CpuSecondsUsed() override {
    return absl::UnimplementedError("an external target's CPU use is not visible to gop");
  }
  std::string LogTail(int) override { return ""; }
  absl::Status Stop() override { return absl::OkStatus(); }

 private:
  std::string base_url_;
  std::string auth_;
};

}  // namespace gop

#endif  // GOP_AGENT_EXTERNAL_DRIVER_H_

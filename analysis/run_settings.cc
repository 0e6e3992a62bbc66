#include "analysis/run_settings.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include "yaml-cpp/yaml.h"

namespace gop::analysis {
namespace {

std::vector<double> Numbers(const YAML::Node& node) {
  std::vector<double> out;
  if (!node || !node.IsSequence()) return out;
  for (const YAML::Node& item : node) out.push_back(item.as<double>());
  return out;
}

}  // namespace

int RoundHalfEven(double value) {
  const double floor = std::floor(value);
  const double diff = value - floor;
  // Products like 3 x 1.5 are exact in binary; allow for the ones that are not.
  constexpr double kEps = 1e-9;
  if (std::abs(diff - 0.5) < kEps) {
    return static_cast<int>(std::fmod(floor, 2.0) == 0 ? floor : floor + 1);
  }
  return static_cast<int>(std::lround(value));
}

RunSettings ReadRunSettings(const std::filesystem::path& grid_yaml) {
  RunSettings out;
  std::ifstream in(grid_yaml, std::ios::binary);
  if (!in) return out;
  std::stringstream text;
  text << in.rdbuf();
  out.found = true;
  out.grid_yaml = text.str();
  try {
    YAML::Node root = YAML::Load(out.grid_yaml);
    out.web_thread_multipliers = Numbers(root["web_thread_multipliers"]);
    out.db_pool_multipliers = Numbers(root["db_pool_multipliers"]);
  } catch (const YAML::Exception& e) {
    out.problem = e.what();
    out.web_thread_multipliers.clear();
    out.db_pool_multipliers.clear();
  }
  return out;
}

}  // namespace gop::analysis

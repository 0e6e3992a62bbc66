#ifndef GOP_COMMON_YAML_DESCRIBE_H_
#define GOP_COMMON_YAML_DESCRIBE_H_

#include <string>

#include "yaml-cpp/node/node.h"

namespace gop {

// How a YAML value is named in a validation message: "\"5m\"", "a list",
// "a mapping", or "nothing" (null or missing). Shared by every config parser
// (grid.yaml, target.yaml) so their messages read alike.
std::string DescribeYamlNode(const YAML::Node& node);

}  // namespace gop

#endif  // GOP_COMMON_YAML_DESCRIBE_H_

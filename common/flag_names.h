#ifndef GOP_COMMON_FLAG_NAMES_H_
#define GOP_COMMON_FLAG_NAMES_H_

#include <string>
#include <vector>

namespace gop {

// gop's commands spell flags with hyphens (--local-agents, --dry-run, as in
// the docs) but Abseil's flag names cannot contain them. Returns argv with
// every "--some-flag[=value]" rewritten to "--some_flag[=value]"; values and
// positional arguments are left alone, and so is everything after "--".
// `storage` owns the rewritten strings and must outlive the result.
std::vector<char*> NormalizeFlagNames(int argc, char** argv, std::vector<std::string>* storage);

// Makes --help list every flag of the program. (Abseil's default shows only
// flags defined in a file named after the binary or main.)
void ShowAllFlagsInHelp();

}  // namespace gop

#endif  // GOP_COMMON_FLAG_NAMES_H_

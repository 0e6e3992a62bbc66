# The `process` target driver, its CPU limiter and the agent's target.yaml.
# Included from agent/CMakeLists.txt.
# Needs the shared helpers (agent_support) and the compose parser.
if(TARGET gop::agent_support AND TARGET gop::compose_driver)
  add_library(gop_cpu_limiter cpu_limiter.cc)
  add_library(gop::cpu_limiter ALIAS gop_cpu_limiter)
  target_link_libraries(gop_cpu_limiter
    PUBLIC gop::agent_support absl::status absl::statusor absl::strings)

  add_library(gop_target_config target_config.cc)
  add_library(gop::target_config ALIAS gop_target_config)
  # The compose section is parsed by the compose driver's own parser.
  target_link_libraries(gop_target_config
    PUBLIC gop::compose_driver absl::status absl::statusor absl::time
    PRIVATE gop::agent_support yaml-cpp gop::yaml_describe absl::strings)

  add_library(gop_process_driver process_driver.cc)
  add_library(gop::process_driver ALIAS gop_process_driver)
  target_link_libraries(gop_process_driver
    PUBLIC gop::cpu_limiter gop::target_config gop::agent_support
           absl::status absl::statusor absl::time
    PRIVATE PostgreSQL::PostgreSQL absl::strings)
endif()

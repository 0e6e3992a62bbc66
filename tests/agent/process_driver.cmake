# Tests of the process target driver, its CPU limiter and target.yaml parsing.
# Included from tests/agent/CMakeLists.txt.
if(TARGET gop::process_driver)
  # A stand-in target: tiny HTTP server on $BOX_WEB_PORT, or a busy loop.
  add_executable(process_target_helper process_target_helper.cc)
  target_link_libraries(process_target_helper PRIVATE Threads::Threads)

  gop_add_test(NAME target_config_test SOURCES target_config_test.cc LIBS gop::target_config)

  gop_add_test(NAME cpu_limiter_test SOURCES cpu_limiter_test.cc LIBS gop::cpu_limiter)
  target_compile_definitions(cpu_limiter_test PRIVATE
    GOP_PROCESS_TARGET_HELPER="$<TARGET_FILE:process_target_helper>")
  add_dependencies(cpu_limiter_test process_target_helper)

  # With the shared PostgreSQL helper, also the data reset and real minibox.
  if(TARGET gop_test_support)
    gop_add_test(NAME process_driver_test SOURCES process_driver_test.cc
      LIBS gop::process_driver NEEDS_PG)
    target_compile_definitions(process_driver_test PRIVATE GOP_HAVE_PG_SUPPORT=1)
    if(TARGET minibox)
      add_dependencies(process_driver_test minibox)  # else its test skips
    endif()
  else()
    gop_add_test(NAME process_driver_test SOURCES process_driver_test.cc
      LIBS gop::process_driver)
  endif()
  target_compile_definitions(process_driver_test PRIVATE
    GOP_PROCESS_TARGET_HELPER="$<TARGET_FILE:process_target_helper>")
  add_dependencies(process_driver_test process_target_helper)
endif()

#ifndef GOP_TESTS_SUPPORT_FREE_PORT_H_
#define GOP_TESTS_SUPPORT_FREE_PORT_H_

namespace gop::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then
// released): for servers a test starts itself, or for a port where nothing
// listens. Another process may take it in between; tests that can should
// let the server pick port 0 and report it instead.
int UnusedLoopbackPort();

}  // namespace gop::testing

#endif  // GOP_TESTS_SUPPORT_FREE_PORT_H_

// Grad mode is per thread, on by default, as in PyTorch.
#include "autograd/grad_mode.h"

namespace kd {
namespace ag {

namespace {
thread_local bool t_grad_enabled = true;
}

bool is_grad_enabled() { return t_grad_enabled; }
void set_grad_enabled(bool enabled) { t_grad_enabled = enabled; }

}  // namespace ag
}  // namespace kd

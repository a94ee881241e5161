#include "trace/trace-hw_accel_wd.h"

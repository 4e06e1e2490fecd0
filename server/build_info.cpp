#include "server/build_info.hpp"

#include "trace/trace-hw_iommu_sva.h"

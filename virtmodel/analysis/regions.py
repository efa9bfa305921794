"""stub"""
def win_regions(techniques, x, y, metric, *, workload, platform=None, constraints=None, minimize=None, **fixed):
    """stub"""
    raise NotImplementedError

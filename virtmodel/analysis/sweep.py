"""stub"""
def sweep(metrics, techniques, workload, platform=None, **grid):
    """stub"""
    raise NotImplementedError

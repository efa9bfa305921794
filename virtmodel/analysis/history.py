"""stub"""
def exit_cost_history(workload, platform=None, metric="cpu_per_request", *, hardware_assist="hardware_assist",
                      binary_translation="binary_translation", generations=None, **overrides):
    """stub"""
    raise NotImplementedError

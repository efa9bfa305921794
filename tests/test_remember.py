"""virtmodel._remember: results remembered by argument; unhashable arguments computed afresh."""

import numpy as np

from virtmodel._remember import remember


def test_remembered_by_argument_and_unhashable_arguments_computed_afresh():
    calls = []

    @remember(maxsize=2)
    def double(x):
        calls.append(x)
        return 2 * x

    assert double(3) == 6 and double(3) == 6 and calls == [3]          # second call looked up
    assert double(4) == 8 and double(5) == 10 and double(3) == 6        # 3 fell out (two kept)
    assert calls == [3, 4, 5, 3]
    array = np.arange(3)
    np.testing.assert_array_equal(double(array), [0, 2, 4])
    np.testing.assert_array_equal(double(array), [0, 2, 4])
    assert len(calls) == 6                                             # an array is never remembered
    double.cache_clear()
    double(4)
    assert len(calls) == 7

"""Time the simulation oracle (performance.md: 10^6 M/G/1 customers in <= 1 s).

Run: python benchmarks/bench_simulate.py
Prints absolute wall times (best of 3) and the growth with run length.
"""

import time

from virtmodel.simulate import (simulate_closed_network, simulate_gg1, simulate_ggc,
                                simulate_open_network, simulate_ps)


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def mg1(n):
    # M/G/1, rho = 0.8, hyperexponential service of SCV 2; warm-up n/10 on top
    return simulate_gg1(0.8, 1.0, 1.0, 2.0, service_family="hyperexponential", customers=n, seed=1)


def main():
    print("simulate_gg1 (vectorized Lindley), M/G/1 rho=0.8, H2 service SCV 2, +10% warm-up:")
    t6 = best(lambda: mg1(10**6))
    print(f"  10^6 customers: {t6:.3f} s   (target <= 1 s: {'OK' if t6 <= 1 else 'MISSED'})")
    print("  growth:")
    base = None
    for n in (10**5, 10**6, 10**7):
        t = best(lambda: mg1(n), repeat=3 if n < 10**7 else 1)
        base = base or t
        print(f"    {n:>10,d} customers: {t:8.3f} s  ({t / n * 1e9:6.1f} ns/customer, x{t / base:6.1f})")

    print("event-loop simulators (+10% warm-up), rho = 0.8:")
    cases = [
        ("simulate_ggc  M/M/4           ", 10**6, lambda n: simulate_ggc(3.2, 1.0, 4, customers=n, seed=1)),
        ("simulate_ggc  M/M/2/5         ", 10**6, lambda n: simulate_ggc(1.6, 1.0, 2, capacity=5, customers=n, seed=1)),
        ("simulate_ps   M/G/1-PS        ", 10**5, lambda n: simulate_ps(0.8, 1.0, customers=n, seed=1)),
        ("simulate_open_network 3 st.   ", 10**5, lambda n: simulate_open_network(
            [1.0, 0.5, 0.0], [[0, 0.5, 0.3], [0, 0, 1.0], [0.2, 0, 0]], [3.0, 1.5, 2.8], [1, 2, 1],
            customers=n, seed=1)),
        ("simulate_closed_network N=5   ", 10**5, lambda n: simulate_closed_network(
            [0.2, 0.3, 0.15], 5, think_time=1.0, servers=[float("inf"), 1, 1], customers=n, seed=1)),
    ]
    for name, n, fn in cases:
        t1 = best(lambda: fn(n // 10), repeat=1)
        t = best(lambda: fn(n), repeat=1)
        unit = "customers" if "network" not in name else "passages"
        print(f"  {name}{n:>9,d} {unit}: {t:7.3f} s ({t / n * 1e6:5.2f} us each; "
              f"x{t / t1:4.1f} for 10x the run)")


if __name__ == "__main__":
    main()

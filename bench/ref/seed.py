"""The seed program, re-created for bench/run.sh: the workload exp was built
to measure, as the original tutorial ran it.

It tests every integer of [10^13, 10^13 + 1000) for primality by trial
division (2, then the odd divisors up to int(sqrt(x))), submitting each
number as its own task to a ProcessPoolExecutor of 50 worker processes and
gathering the answers in completion order. It prints what it gathered, how
many, and its own wall time; bench/run.sh times the whole process instead.

    python3 bench/ref/seed.py
"""

import concurrent.futures
import math
import time

START, COUNT, WORKERS = 10**13, 1000, 50


def is_prime(x):
    if x < 2:
        return False
    if x == 2:
        return True
    if x % 2 == 0:
        return False
    for d in range(3, int(math.sqrt(x)) + 1, 2):
        if x % d == 0:
            return False
    return True


def main():
    began = time.perf_counter()
    found = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=WORKERS) as pool:
        pending = [pool.submit(is_prime, x) for x in range(START, START + COUNT)]
        for done in concurrent.futures.as_completed(pending):
            if done.result():
                # The seed's bug, kept on purpose: it appends the future's
                # result (True), not the number that was tested, so the
                # list says how many primes there are but not which.
                found.append(done.result())
    print("Result 2: ", found)
    print("%d primes; took %.2f seconds." % (len(found), time.perf_counter() - began))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The seed program's demo, written anew: test the 1000 numbers from 10^13
for primes by trial division in a pool of worker processes, one task per
number, and print the primes found, one per line, in ascending order.

Usage: python3 seed_primes.py WORKERS

The worker count is the only argument, so that exp can vary it
(examples/seed-python.yaml). The output does not depend on it: exp checks
that every trial prints the same lines.

The original demo appended future.result() -- the boolean True -- for each
prime, so it printed a list of Trues rather than the primes. Here each task
returns the number with its verdict, and the number is what is kept.
"""

import concurrent.futures
import math
import sys

START = 10**13
COUNT = 1000


def is_prime(n):
    """Trial division by 2, then by the odd numbers up to sqrt(n)."""
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    for d in range(3, math.isqrt(n) + 1, 2):
        if n % d == 0:
            return False
    return True


def check(n):
    """One task: the number and whether it is prime."""
    return n, is_prime(n)


def main():
    workers = int(sys.argv[1])
    found = []
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        tasks = [pool.submit(check, n) for n in range(START, START + COUNT)]
        for task in concurrent.futures.as_completed(tasks):
            n, prime = task.result()
            if prime:
                found.append(n)  # the number, not the True the original kept
    for n in sorted(found):  # completion order varies; the answer must not
        print(n)


if __name__ == "__main__":
    main()

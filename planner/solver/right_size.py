"""Right-sizing: each server of a plan on the cheapest model that holds what it carries.

A search that packs one model (the plain cores, the greedy's model orders) leaves its emptiest
servers on a model larger than they need; moving such a server to a cheaper model in the same
host mode, its replicas and their forms unchanged, keeps every rule and lowers the cost.
"""

from __future__ import annotations

from collections import Counter

from planner.solver.greedy import Assignment, opened_servers
from planner.solver.problem import Problem, vec_add, vec_fits, vec_sub


def right_sized(problem: Problem, plan: Assignment) -> Assignment:
    """The plan with each server moved to the cheapest model that holds its load in its mode (within the
    models' purchase limits); the plan itself when no server can move."""
    counts = Counter(m for m, _ in plan.servers)
    cheapest_first = sorted(range(len(problem.capacities)), key=lambda m: (problem.costs[m], m))
    servers = list(plan.servers)
    for s, server in enumerate(opened_servers(problem, plan)):
        m, mode = servers[s]
        load = vec_sub(server.load, problem.reserve(mode, m))  # what its replicas use, container-host VMs included
        for other in cheapest_first:
            if problem.costs[other] >= problem.costs[m]:
                break
            limit = problem.max_counts[other]
            room_left = limit is None or counts[other] < limit
            if (
                room_left
                and problem.allows(mode, other)
                and vec_fits(vec_add(load, problem.reserve(mode, other)), problem.capacities[other])
            ):
                counts[m] -= 1
                counts[other] += 1
                servers[s] = (other, mode)
                break
    return plan if servers == plan.servers else Assignment(servers, dict(plan.placed))

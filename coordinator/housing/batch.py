"""Batch placement: many groups placed together, over plain data.

Minimises total person-km weighted by priority; each group goes whole into
one bed category of one facility that meets its needs, or waits; no option
(a facility's bed category) gets more people than its free beds.

Solved as a MIP with HiGHS (`scipy.optimize.milp`). Groups that are
interchangeable (same origin, size, needs and priority: a train's
passengers) share one integer variable per option, so a surge of 3,000
groups from 82 towns is a model of a few hundred kinds. The candidates are
each kind's K nearest suitable options, every option that the LP
relaxation over all suitable options uses, and every pair the LP's prices
(duals) say costs at most RC_KM km a person more than its optimum: that is
how the set widens where the nearest run out (a surge from one town fills
them), keeps the LP optimum reachable, and leaves the whole-group optimum
room nearby. Small batches take every suitable option (exact).
Groups a solver stopped by its time limit left out go nearest first into
the beds left, so none waits while a suitable bed is free.

Why HiGHS and not CP-SAT: the model is a transportation problem with whole
groups; its LP relaxation is nearly integral, which an LP-based branch and
bound exploits (and the LP picks the candidates); costs stay real-valued;
each solve runs on one core (two race on the machine's two, see `race`). CP-SAT, tried on the
same 3,000 groups without the aggregation, was far from the bound after
10 s with two workers; so was HiGHS on one binary per group and option.

`bound.lower_bound` is the min-cost flow (OR-Tools) over every compatible
option with groups allowed to split: no whole-group plan can do better, so
the benchmarks and tests measure plans against it.
"""

from __future__ import annotations

import importlib
import logging
import time
from dataclasses import dataclass, field

import numpy as np

from coordinator.geo.distance import haversine_matrix
from coordinator.housing import race

log = logging.getLogger("birlik.housing")
# SciPy is imported where a model is built or solved, not with this module:
# every web process imports it (through the jobs) and never solves, and it
# cost each 0.16 s of a 2.8 s start and 36 MB. Workers import it at start-up
# (`warm`), the race's forkserver with its preload (`race.PRELOAD`).
SOLVER_MODULES = ("scipy.optimize", "scipy.sparse")

K_NEAREST = 4  # nearest candidates per kind of group; the LP's prices add the ones a surge needs
RC_KM = 5.0  # and every pair that costs at most this many km a person more than the LP optimum
EXACT_PAIRS = 3_000  # up to this many suitable (kind, option) pairs, the MIP takes them all
DENSE_LIMIT = 400_000  # pairs the LP relaxation takes at most (else the DENSE_NEAREST nearest per kind)
DENSE_NEAREST = 32
WAIT_KM = 10_000.0  # a waiting person costs as much as this many km (more than any trip in the country)
TIME_LIMIT = 5.0  # seconds the MIP may take
GAP = 2e-3  # stop when proved within 0.2 % of the optimum on the candidates
ACCEPT_GAP = 5e-3  # a solve stopped by its time limit within this of its bound is as good as proved
RACE_K = 2  # a large batch's model races one with this many times the nearest candidates per kind
# Priority 1 (most urgent) to 5: how much a person-km of that group weighs.
PRIORITY_WEIGHT = {1: 3.0, 2: 2.0, 3: 1.0, 4: 0.75, 5: 0.5}

# Why a group waits (codes; the caller turns them into messages).
NO_SUITABLE = "no_suitable"  # no open option meets its needs and category at all
TOO_BIG = "too_big"  # no suitable option has as many beds, even free of everyone else
NO_ROOM = "no_room"  # suitable options exist, but their free beds went to others or are taken


@dataclass(frozen=True)
class Group:
    """A group to place: `needs` are facility features it requires ("medical", "accessible")."""

    id: int
    size: int
    lat: float
    lon: float
    categories: tuple[str, ...]  # compatible bed categories, best first
    needs: frozenset[str] = frozenset()
    weight: float = 1.0


@dataclass(frozen=True)
class Option:
    """One bed category at one open facility, with its free beds now."""

    facility_id: int
    category: str
    free: int
    lat: float
    lon: float
    meets: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Placed:
    group_id: int
    option: int  # index into the options given
    km: float


@dataclass
class Plan:
    placed: dict[int, Placed] = field(default_factory=dict)
    waiting: dict[int, str] = field(default_factory=dict)  # group id -> reason code
    solver: str = "HiGHS MIP"
    status: str = ""
    seconds: float = 0.0
    candidates: int = 0
    widened: int = 0  # candidates beyond the k nearest, added from the LP relaxation
    nearest: int = 0  # the k nearest candidates per kind of the model whose plan this is (0: all, exact)
    raced: int = 1  # models solved at once (see `race`): the first plan proved, else the better one, is kept

    def person_km(self, groups: list[Group]) -> float:
        sizes = {g.id: g.size for g in groups}
        return sum(sizes[gid] * p.km for gid, p in self.placed.items())


def weight_of(priority: int) -> float:
    """The weight of a person-km of a group with this priority."""
    return PRIORITY_WEIGHT.get(priority, 1.0)


def fits(g: Group, o: Option) -> bool:
    """Whether the option's category and facility suit the group (ignoring room)."""
    return o.category in g.categories and g.needs <= o.meets


def distances(groups: list[Group], options: list[Option]) -> np.ndarray:
    """km from every group (rows) to every option (columns)."""
    if not groups or not options:
        return np.zeros((len(groups), len(options)))
    return haversine_matrix(
        np.array([g.lat for g in groups]),
        np.array([g.lon for g in groups]),
        np.array([o.lat for o in options]),
        np.array([o.lon for o in options]),
    )


def _suitable(groups: list[Group], options: list[Option], free: np.ndarray) -> np.ndarray:
    """A boolean matrix: option j suits group i and has at least its size `free`."""
    out = np.zeros((len(groups), len(options)), dtype=bool)
    kinds: dict[tuple, list[int]] = {}
    for i, g in enumerate(groups):
        kinds.setdefault((g.categories, g.needs), []).append(i)
    for rows in kinds.values():
        cols = np.array([fits(groups[rows[0]], o) for o in options], dtype=bool)
        sizes = np.array([groups[i].size for i in rows])
        out[rows] = cols[None, :] & (free[None, :] >= sizes[:, None])
    return out


def rank_of(categories: tuple[str, ...], category: str) -> int:
    return categories.index(category) if category in categories else 0


def cost(g: Group, o: Option, km: float) -> float:
    """What placing the group there costs: weighted person-km, and a hair more
    for a less preferred category, so a tie goes to the best one first."""
    return _cost(g.weight * g.size, km, rank_of(g.categories, o.category))


def _cost(people, km, rank):
    """`cost` from weighted people, km and category rank (numbers or arrays)."""
    return people * (km + 0.001 * rank)


def wait_cost(g: Group) -> float:
    """What leaving the group waiting costs."""
    return g.weight * g.size * WAIT_KM


@dataclass
class _Kind:
    """Groups that are interchangeable: same origin, size, needs, categories, weight."""

    first: Group
    members: list[int]  # indices into the groups given

    @property
    def count(self) -> int:
        return len(self.members)


def _kinds(groups: list[Group]) -> list[_Kind]:
    kinds: dict[tuple, _Kind] = {}
    for i, g in enumerate(groups):
        key = (g.lat, g.lon, g.size, g.categories, g.needs, g.weight)
        kinds.setdefault(key, _Kind(g, [])).members.append(i)
    return list(kinds.values())


def _nearest(suitable: np.ndarray, km: np.ndarray, k: int) -> set[tuple[int, int]]:
    """Each kind's k nearest suitable options."""
    pairs = set()
    for r in range(len(suitable)):
        cols = np.flatnonzero(suitable[r])
        if len(cols) > k:
            cols = cols[np.argpartition(km[r, cols], k - 1)[:k]]
        pairs.update((r, int(j)) for j in cols)
    return pairs


def _costs(reps: list[Group], options: list[Option], km: np.ndarray) -> np.ndarray:
    """`cost` of every kind (rows, by its first group) at every option (columns), as arrays."""
    rank = np.zeros(km.shape)
    by_categories: dict[tuple[str, ...], np.ndarray] = {}
    for r, g in enumerate(reps):
        if g.categories not in by_categories:
            by_categories[g.categories] = np.array([rank_of(g.categories, o.category) for o in options], dtype=float)
        rank[r] = by_categories[g.categories]
    people = np.array([g.weight * g.size for g in reps], dtype=float)
    return _cost(people[:, None], km, rank)


def _as_arrays(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """(kind, option) pairs as an array of kinds and one of options."""
    return np.array([r for r, _ in pairs], dtype=int), np.array([j for _, j in pairs], dtype=int)


def _priced(kinds: list[_Kind], costs: np.ndarray, km: np.ndarray, free: np.ndarray, suitable: np.ndarray):
    """Candidate pairs from the LP relaxation over every suitable option: the
    pairs it uses, and every pair whose reduced cost (what it would add to the
    LP optimum per person moved onto it) is within RC_KM km. A surge from one
    town may need options far beyond its nearest ones, and the whole-group
    optimum uses pairs the fractional one does not; these are where both lie."""
    ri, oj = np.nonzero(suitable)
    if len(ri) > DENSE_LIMIT:  # too big to relax whole: the nearest a kind's people could fill twice
        ri, oj = _as_arrays(sorted(_nearest(suitable, km, DENSE_NEAREST)))
    if not len(ri):
        return set()
    from scipy.optimize import linprog  # see SOLVER_MODULES

    model = _Model(kinds, costs, free, ri, oj)
    result = linprog(
        model.c,
        A_ub=model.room,
        b_ub=model.free_used,
        A_eq=model.all_of_each,
        b_eq=model.counts,
        bounds=np.stack([np.zeros(len(model.upper)), model.upper], axis=1),
        method="highs-ds",
        # HiGHS's presolve finds nothing to take out of a transportation LP
        # and costs a surge's LP (155,000 pairs) 0.6 s of its 1.6 s.
        options={"time_limit": TIME_LIMIT, "presolve": False},
    )
    if result.x is None:
        return set()
    n, sizes = len(ri), model.sizes
    reduced = model.c[:n] - result.eqlin.marginals[ri] - result.ineqlin.marginals[model.rows] * sizes
    weights = np.array([kind.first.weight for kind in kinds], dtype=float)[ri]
    keep = (result.x[:n] > 1e-9) | (reduced <= RC_KM * sizes * weights)
    return set(zip(ri[keep].tolist(), oj[keep].tolist(), strict=True))


class _Model:
    """The MIP's arrays over candidate pairs (kind ri[p] at option oj[p]): how
    many groups of the kind go to the option; then, per kind, how many wait
    (what the counts leave). Built with arrays: a surge's LP has 160,000 pairs."""

    def __init__(self, kinds: list[_Kind], costs: np.ndarray, free: np.ndarray, ri: np.ndarray, oj: np.ndarray):
        from scipy.sparse import csr_matrix  # see SOLVER_MODULES

        n_pairs, n_kinds = len(ri), len(kinds)
        self.sizes = np.array([kind.first.size for kind in kinds], dtype=float)[ri]
        self.c = np.concatenate([costs[ri, oj], [wait_cost(kind.first) for kind in kinds]])
        self.all_of_each = csr_matrix(
            (
                np.ones(n_pairs + n_kinds),
                (np.concatenate([ri, np.arange(n_kinds)]), np.arange(n_pairs + n_kinds)),
            ),
            shape=(n_kinds, n_pairs + n_kinds),
        )
        used, self.rows = np.unique(oj, return_inverse=True)  # the options with a capacity row, and each pair's row
        self.room = csr_matrix((self.sizes, (self.rows, np.arange(n_pairs))), shape=(len(used), n_pairs + n_kinds))
        self.free_used = free[used]
        self.counts = np.array([kind.count for kind in kinds], dtype=float)
        self.upper = np.concatenate([np.minimum(self.counts[ri], np.floor(free[oj] / self.sizes)), self.counts])


@dataclass
class _Solution:
    counts: dict[tuple[int, int], int]  # (kind, option) -> how many of the kind's groups go there
    status: str
    candidates: int  # pairs in the model
    objective: float = float("inf")  # of the plan found (waiting included); inf if none
    settled: bool = True  # proved within the gap asked for or ACCEPT_GAP (or nothing to solve)


def _solve(
    kinds: list[_Kind],
    costs: np.ndarray,
    free: np.ndarray,
    pairs: list[tuple[int, int]],
    time_limit: float,
    gap: float = GAP,
) -> _Solution:
    """The MIP over candidate pairs: how many groups of kind r go to option j
    (integers); the rest of each kind waits."""
    if not pairs:
        return _Solution({}, "no candidates", candidates=0)
    from scipy.optimize import Bounds, LinearConstraint, milp  # see SOLVER_MODULES

    model = _Model(kinds, costs, free, *_as_arrays(pairs))
    n_pairs, n_kinds = len(pairs), len(kinds)
    result = milp(
        model.c,
        integrality=np.concatenate([np.ones(n_pairs), np.zeros(n_kinds)]),
        bounds=Bounds(0, model.upper),
        constraints=[
            LinearConstraint(model.all_of_each, model.counts, model.counts),
            LinearConstraint(model.room, -np.inf, model.free_used),
        ],
        options={"time_limit": time_limit, "mip_rel_gap": gap, "disp": False},
    )
    if result.x is None:
        return _Solution({}, result.message, candidates=n_pairs, settled=False)
    x = np.round(result.x[:n_pairs]).astype(int)
    settled = result.status == 0 or (result.mip_gap is not None and result.mip_gap <= ACCEPT_GAP)
    counts = {pairs[p]: int(x[p]) for p in np.flatnonzero(x)}
    return _Solution(counts, result.message, n_pairs, float(result.fun), settled)


def _settled(answer: _Solution) -> bool:
    return answer.settled


def warm() -> None:
    """Import the solver, and ready the processes a large batch's models are
    solved in (`race`)."""
    for name in SOLVER_MODULES:
        importlib.import_module(name)
    race.warm()


def place(
    groups: list[Group], options: list[Option], *, k: int = K_NEAREST, time_limit: float = TIME_LIMIT, gap: float = GAP
) -> Plan:
    """The best plan found within the time limit (`Plan.status` says whether
    the solver proved it optimal, within `gap`, on the candidates). A large
    batch's model is raced against one with RACE_K times the nearest
    candidates, each in a process of its own (`race`): the first plan proved
    within ACCEPT_GAP of its bound stops the other; if neither is, the better
    plan at the time limit wins. The limit is the MIP's: choosing the
    candidates (an LP over every suitable pair) comes before it.

    Interchangeable groups (same origin, size, needs and priority: a train's
    passengers) are one integer variable per option, which keeps a surge's
    model small. The candidates are each kind's k nearest suitable options
    and every option the LP relaxation over all suitable options uses, so
    the set widens exactly where the nearest run out."""
    started = time.perf_counter()
    plan = Plan()
    kinds = _kinds(groups)
    reps = [kind.first for kind in kinds]
    km = distances(reps, options)
    free = np.array([o.free for o in options], dtype=float)
    suitable = _suitable(reps, options, free)
    costs = _costs(reps, options, km)
    exact = suitable.sum() <= EXACT_PAIRS
    if exact:  # small: the MIP over every suitable option, solved to optimality, is fast
        pairs = [(r, int(j)) for r, j in zip(*np.nonzero(suitable), strict=True)]
        plan.candidates = len(pairs)
        best = _solve(kinds, costs, free, pairs, time_limit, gap=1e-9)
    else:
        priced = _priced(kinds, costs, km, free, suitable)
        # Two models raced (see `race`): each kind's k nearest candidates, and
        # twice as many; by their sizes, since the wider holds the narrower.
        models = {}
        for n in (k, RACE_K * k):
            models.setdefault(len(pairs := sorted(_nearest(suitable, km, n) | priced)), (n, pairs))
        solves = [(_solve, (kinds, costs, free, pairs, time_limit, gap)) for _, pairs in models.values()]
        answers = race.race(solves, settled=_settled, seconds=time_limit) if len(solves) > 1 else []
        if not answers:  # one model only, or no process answered: solve it here
            if len(solves) > 1:
                log.warning("batch solve: no process answered in %.1f s; solving here", time_limit)
            answers = [_solve(*solves[0][1])]
        best = min(answers, key=lambda answer: answer.objective)  # the same objective, on either model
        plan.candidates, plan.raced, plan.nearest = best.candidates, len(solves), models[best.candidates][0]
        plan.widened = len(priced - _nearest(suitable, km, plan.nearest))
    plan.status, counts = best.status, best.counts
    for (r, j), n in sorted(counts.items()):
        members = kinds[r].members
        for i in members[:n]:
            plan.placed[groups[i].id] = Placed(groups[i].id, j, float(km[r, j]))
        kinds[r].members = members[n:]
    # A solver stopped by its time limit may leave groups out that still fit:
    # those go nearest first into what is left, as single dispatch would.
    for (r, j), n in counts.items():
        free[j] -= n * reps[r].size
    for r, kind in enumerate(kinds):
        for i in kind.members:
            room = np.flatnonzero(suitable[r] & (free >= reps[r].size))
            if len(room):
                j = int(room[np.argmin(km[r, room])])
                free[j] -= reps[r].size
                plan.placed[groups[i].id] = Placed(groups[i].id, j, float(km[r, j]))
            else:
                plan.waiting[groups[i].id] = _why(groups[i], options)
    plan.seconds = time.perf_counter() - started
    return plan


def _why(g: Group, options: list[Option]) -> str:
    suited = [o for o in options if fits(g, o)]
    if not suited:
        return NO_SUITABLE
    return NO_ROOM if any(o.free >= g.size for o in suited) else TOO_BIG

"""The writers of bench/run.py --mixed: other members replying, reacting and renaming themselves.

    python bench/mixed_writers.py --duration 20 --rate 4 --threads-file FILE --hot PK

Calls the project's services in this process (django.setup(), the launcher's database and Redis):
community.services.forum.post_create and reaction_toggle, accounts.services.profile_update, at about
`--rate` writes a second in one loop (40 % replies, 40 % reactions, 20 % renames; replies and
reactions go half to the hot thread, half to random threads of the readers' long tail). Members
user2…user<2+pool> of the large seed (the benchmark's member, user1, is never one of them). Prints one
JSON object: writes done per kind, their mean and max time, and errors by kind and message.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from querycount import setup  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--rate", type=float, default=4.0, help="writes per second (all kinds)")
    parser.add_argument("--threads-file", required=True, help="thread pks of the long tail, one a line")
    parser.add_argument("--hot", type=int, required=True, help="the hot thread's pk")
    parser.add_argument("--pool", type=int, default=200, help="how many members write")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    setup()
    from django.contrib.auth import get_user_model

    from accounts.services import profile_update
    from bench.pages import prepare_member
    from community.models import Post, PostState, Thread
    from community.services.forum import post_create, reaction_toggle

    pick = random.Random(args.seed)
    User = get_user_model()
    emails = [f"user{n}@example.com" for n in range(2, 2 + args.pool)]
    members = list(User.objects.filter(email__in=emails))
    for member in members:
        prepare_member(member)
    tail = [int(line) for line in Path(args.threads_file).read_text().split()]
    hot = Thread.objects.get(pk=args.hot)
    hot_posts = list(Post.objects.filter(thread=hot, position__lte=20, state=PostState.VISIBLE))

    done, seconds, worst = Counter(), defaultdict(float), defaultdict(float)
    errors: Counter = Counter()
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < args.duration:
        due = started + n / args.rate
        if (wait := due - time.monotonic()) > 0:
            time.sleep(wait)
        n += 1
        member = pick.choice(members)
        roll = pick.random()
        kind = "reply" if roll < 0.4 else "reaction" if roll < 0.8 else "rename"
        on_hot = pick.random() < 0.5
        began = time.perf_counter()
        try:
            if kind == "reply":
                thread = hot if on_hot else Thread.objects.get(pk=pick.choice(tail))
                post_create(actor=member, thread=thread, body=f"Réponse du banc d'essai n° {n}, merci !")
            elif kind == "reaction":
                if on_hot:
                    post = pick.choice(hot_posts)
                else:
                    post = (
                        Post.objects.filter(thread_id=pick.choice(tail), state=PostState.VISIBLE)
                        .select_related("thread__space")
                        .order_by("?")
                        .first()
                    )
                if post.author_id == member.pk:
                    continue
                reaction_toggle(actor=member, post=post, kind=pick.choice(["like", "helpful"]))
            else:
                member.refresh_from_db()
                profile_update(
                    actor=member, user=member, display_name=f"Membre {member.pk} v{n}", bio=member.bio,
                    language=member.language, time_zone=member.time_zone,
                )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - counted and reported, the load goes on
            errors[f"{kind}: {type(exc).__name__}: {str(exc)[:120]}"] += 1
            continue
        took = time.perf_counter() - began
        done[f"{kind}{' (hot thread)' if on_hot and kind != 'rename' else ''}"] += 1
        seconds[kind] += took
        worst[kind] = max(worst[kind], took)
    elapsed = time.monotonic() - started
    kinds = {k.split(" ")[0] for k in done}

    def count_of(kind: str) -> int:
        return sum(count for name, count in done.items() if name.startswith(kind))

    print(
        json.dumps(
            {
                "seconds": round(elapsed, 1),
                "writes": sum(done.values()),
                "writes_per_s": round(sum(done.values()) / elapsed, 2),
                "done": dict(done),
                "mean_ms": {k: round(seconds[k] / count_of(k) * 1000, 1) for k in kinds},
                "max_ms": {k: round(v * 1000, 1) for k, v in worst.items()},
                "errors": dict(errors),
            },
            ensure_ascii=False,
        )
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

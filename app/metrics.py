"""A few Prometheus counters for /metrics, kept in process (no extra dependency)."""

from collections import Counter


class Metrics:
    def __init__(self) -> None:
        self.requests: Counter[tuple[str, int]] = Counter()
        self.seconds_total = 0.0

    def observe(self, method: str, status: int, seconds: float) -> None:
        self.requests[(method, status)] += 1
        self.seconds_total += seconds

    def render(self) -> str:
        lines = [
            "# HELP graphql_requests_total GraphQL HTTP requests by method and status.",
            "# TYPE graphql_requests_total counter",
        ]
        for (method, status), count in sorted(self.requests.items()):
            lines.append(f'graphql_requests_total{{method="{method}",status="{status}"}} {count}')
        lines += [
            "# HELP graphql_request_seconds_total Time spent serving GraphQL requests.",
            "# TYPE graphql_request_seconds_total counter",
            f"graphql_request_seconds_total {self.seconds_total:.6f}",
        ]
        return "\n".join(lines) + "\n"

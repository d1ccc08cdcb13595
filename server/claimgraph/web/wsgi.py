"""The production WSGI server: gunicorn running :func:`claimgraph.web.app.create_app`.

One gunicorn worker process with threads: HTTP work is light, and the CPU-heavy work runs in the
application's own query processes (see :mod:`claimgraph.store.executor`), which must all belong to one
process so that writes can stop and restart them. More gunicorn workers would each start their own.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication
from gunicorn.http.message import MAX_REQUEST_LINE

from claimgraph.config import Config
from claimgraph.web import services
from claimgraph.web.app import create_app


def threads(config: Config) -> int:
    """Request threads: one for each query worker there may be, and as many again for requests that need none (pages
    from the cache, searches) or send slowly."""
    return max(8, 2 * max(config.workers, config.max_workers))


class _Server(BaseApplication):
    def __init__(self, config: Config) -> None:
        self.claimgraph = config
        super().__init__()

    def load_config(self) -> None:
        config = self.claimgraph
        settings = {
            "bind": f"[{config.host}]:{config.port}" if ":" in config.host else f"{config.host}:{config.port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": threads(config),
            # A request may wait for a free query worker and then run for as long as the time limit.
            "timeout": int(2 * config.query_timeout) + 30,
            "graceful_timeout": int(config.query_timeout) + 5,
            "accesslog": "-",
            "errorlog": "-",
            "proc_name": "claimgraph",
            # gunicorn's control socket lives in $HOME, shared by every instance; claimgraph does not use it.
            "control_socket_disable": True,
            # gunicorn's longest request line (its default is 4094 bytes): long GET queries reach the application,
            # which answers URLs past its own bound (protocol.MAX_URL_BYTES) with a problem document.
            "limit_request_line": MAX_REQUEST_LINE,
            # gunicorn trusts X-Forwarded-Proto (and SCRIPT_NAME headers) from 127.0.0.1 by default, so any local
            # client could change the URLs the service writes; the proxy_hops setting alone decides (ProxyFix).
            "forwarded_allow_ips": "",
            "worker_exit": self._worker_exit,
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        self.app = create_app(self.claimgraph)
        return self.app

    def _worker_exit(self, server, worker) -> None:
        """End the query worker processes with the gunicorn worker that started them."""
        app = getattr(self, "app", None)
        if app is not None:
            services.of(app).store.close()


def serve(config: Config) -> None:
    """Serve until interrupted (SIGINT or SIGTERM stop gracefully)."""
    _Server(config).run()

"""Run Debian's wapiti 3.0.4 for the scan test: a few fixes, and nothing leaves loopback.

Run with wapiti's own interpreter (the ``#!`` line of /usr/bin/wapiti), not the venv's:
``/usr/bin/python3 wapiti_launcher.py <wapiti arguments>``.

1. wapiti 3.0.4 compiles ``-x`` patterns as ``<pattern>\\Z(?ms)``, which Python 3.11
   refuses ("global flags not at the start of the expression"), so any ``-x`` crashes the
   crawl (wapiti-scanner/wapiti#596, fixed upstream after 3.0.4). The same translation
   with the flags in front replaces it.
2. Only the modules named with ``-m`` are loaded. wapiti otherwise builds every module,
   and building ``wapp`` downloads its database from raw.githubusercontent.com when the
   config dir has none, whatever ``-m`` says.
3. ``--max-attack-time`` holds. wapiti checks it only between two URLs, and a form with
   ten fields gets hundreds of payloads in between (blindsql: minutes). Once a module's
   time is up, its payload generators stop, so it ends after the request in flight.
4. The csrf module also knows Flask-WTF's token of a form with a prefix
   (``watch-csrf_token``). wapiti 3.0.4 knows tokens by exact name only, and reports
   "Lack of anti CSRF token" for such a form without trying it; knowing the name, it
   checks, as for every other form, that the app refuses the form with a wrong token.
5. Every name lookup and connection of the process is checked: anything other than a
   loopback address is refused and reported on stderr with ``OUTBOUND_REFUSED``, which
   the test fails on. The command line already keeps wapiti local (``--no-bugreport``,
   a loopback ``--endpoint``, no module with its own outside address); this makes a
   mistake there fail the test instead of reaching the internet.
"""

import importlib
import ipaddress
import re
import socket
import sys
import time

MARKER = "OUTBOUND_REFUSED"


def wildcard_translate(pattern: str) -> re.Pattern:
    """wapiti's ``-x`` wildcard (``*`` = anything) as a whole-URL regular expression."""
    body = "".join(".*" if char == "*" else re.escape(char) for char in pattern)
    return re.compile(r"(?ms)" + body + r"\Z")


def _is_loopback(host) -> bool:
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _refuse(what: str, target) -> None:
    print(f"{MARKER}: {what} {target!r}", file=sys.stderr, flush=True)
    raise OSError(f"{MARKER}: only loopback addresses may be contacted, not {target!r}")


_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host is not None and not _is_loopback(host):
        _refuse("name lookup", host)
    return _getaddrinfo(host, *args, **kwargs)


def _check_address(sock: socket.socket, address) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        _refuse("connection", address)


def _guarded_connect(self, address):
    _check_address(self, address)
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    _check_address(self, address)
    return _connect_ex(self, address)


def _option(argv: list[str], *flags: str) -> str | None:
    for flag in flags:
        if flag in argv[:-1]:
            return argv[argv.index(flag) + 1]
    return None


def _chosen_modules(argv: list[str]) -> list[str]:
    chosen = _option(argv, "-m", "--module")
    if not chosen:
        sys.exit("wapiti_launcher: name the modules with -m; the default set is not safe offline")
    return [name.strip() for name in chosen.split(",") if name.strip()]


_module_deadline = [float("inf")]  # when the running attack module's time is up


def _timed_attack(attack, seconds: float):
    def timed(self):
        _module_deadline[0] = time.monotonic() + seconds
        yield from attack(self)

    return timed


def _until_deadline(mutate):
    def mutate_until_deadline(self, *args, **kwargs):
        for mutation in mutate(self, *args, **kwargs):
            if time.monotonic() > _module_deadline[0]:
                return
            yield mutation

    return mutate_until_deadline


def _limit_attack_time(modules: list[str], seconds: float) -> None:
    from wapitiCore.attack import attack

    for name in modules:
        module_class = getattr(
            importlib.import_module(f"wapitiCore.attack.mod_{name}"), f"mod_{name}"
        )
        module_class.attack = _timed_attack(module_class.attack, seconds)
    # Every payload-sending module draws its requests from these two (ssrf's is a subclass).
    for mutator in (attack.Mutator, attack.FileMutator):
        mutator.mutate = _until_deadline(mutator.mutate)


def _know_prefixed_csrf_tokens() -> None:
    from wapitiCore.attack.mod_csrf import mod_csrf

    is_csrf_present = mod_csrf.is_csrf_present

    def is_csrf_present_or_prefixed(self, original_request):
        found = is_csrf_present(self, original_request)
        if found:
            return found
        for name, value in original_request.post_params:
            if name.lower().endswith("-csrf_token"):  # WTForms: "<prefix>-<field name>"
                self.csrf_string = name
                return value
        return None

    mod_csrf.is_csrf_present = is_csrf_present_or_prefixed


def main() -> None:
    chosen = _chosen_modules(sys.argv)
    socket.getaddrinfo = _guarded_getaddrinfo
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex

    from wapitiCore.attack import attack
    from wapitiCore.net import crawler

    attack.modules = [module for module in attack.modules if module[4:] in chosen]

    crawler.wildcard_translate = wildcard_translate
    if "csrf" in chosen:
        _know_prefixed_csrf_tokens()
    attack_time = _option(sys.argv, "--max-attack-time")
    if attack_time:
        _limit_attack_time(chosen, float(attack_time))

    from wapitiCore.main.wapiti import wapiti_main

    sys.argv[0] = "wapiti"
    sys.exit(wapiti_main())


if __name__ == "__main__":
    main()

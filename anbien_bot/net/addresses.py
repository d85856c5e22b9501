"""Which addresses the fetcher may connect to, and connections made only to addresses checked.

A host name is resolved once, through a resolver we own; every address it gives must be
public (unless the host is a configured source that opted in with ``allow_private``), and
the connection goes to one of those very addresses. A DNS answer that changes between a
check and the connect (rebinding) therefore cannot send a request somewhere private. TLS
(SNI and the certificate check) and the Host header still use the name: httpcore takes
them from the URL, never from the address connected to.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence

import anyio
import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# (host, port) -> the addresses the host has; tests pass their own.
Resolver = Callable[[str, int], Awaitable[Sequence[IPAddress]]]

# Cloud instance metadata services. Each is private or link-local anyway; they are named
# so that the refusal says what was at stake, and so that no future change of what
# ipaddress calls global could open them.
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # IPv4 addresses reached through IPv6


class AddressRefused(Exception):
    """A connection refused because its host resolves to an address that is not public."""

    def __init__(self, host: str, address: IPAddress) -> None:
        super().__init__(f"{host} resolves to {describe(address)}")
        self.host = host
        self.address = address


def ip_literal(host: str) -> IPAddress | None:
    """Return the address host spells, including shorthand like 127.1 or 2130706433."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        # Resolvers accept the old BSD forms too (127.1, 0x7f.0.0.1, 2130706433).
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_public(address: IPAddress) -> bool:
    """Return True for an address on the public internet: not private, loopback,
    link-local, shared, reserved, multicast or a cloud metadata service."""
    if address in METADATA:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address wrapped in IPv6 is judged as the IPv4 address it reaches.
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None and not is_public(inner):
            return False
    return address.is_global and not address.is_multicast


def describe(address: IPAddress, spelt: str | None = None) -> str:
    """Return how a refusal names a non-public address (as spelt in the URL, if given)."""
    kind = "cloud metadata" if address in METADATA else "private"
    return f"{kind} address {spelt or address}"


def host_key(host: str) -> str:
    """Return host as connections see it: lower-case ASCII (IDNA), without a trailing dot."""
    host = host.strip().lower().rstrip(".")
    try:
        return httpx.URL(scheme="http", host=host).raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError):
        return host


async def system_resolver(host: str, port: int) -> list[IPAddress]:
    """Return the addresses the system's resolver gives for host, in its order."""
    answers = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found = (ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0]) for *_, sockaddr in answers)
    return list(dict.fromkeys(found))


class CheckedNetwork(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses it has checked.

    ``private_hosts`` may resolve to any address (configured sources that opted in);
    ``opener`` makes the actual connection to an address (tests pass one that records).
    """

    def __init__(
        self,
        resolver: Resolver | None = None,
        *,
        private_hosts: Collection[str] = (),
        opener: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.resolver: Resolver = resolver or system_resolver
        self.private_hosts = frozenset(host_key(h) for h in private_hosts)
        self.opener = opener or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve host once, refuse it unless every address may be reached, then connect
        to those same addresses in turn."""
        try:
            with anyio.fail_after(timeout):
                addresses = await self.addresses(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        failure: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                return await self.opener.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    async def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Return the addresses to connect to for host; raise AddressRefused if one is not
        public and host may not be private."""
        key = host_key(host)
        literal = ip_literal(key)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                addresses = list(await self.resolver(key, port))
            except OSError as exc:  # socket.gaierror: no such name, no DNS server
                raise httpcore.ConnectError(str(exc)) from exc
        if key not in self.private_hosts:
            for address in addresses:
                if not is_public(address):
                    raise AddressRefused(key, address)
        return addresses

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse: the fetcher only speaks TCP."""
        raise httpcore.ConnectError("unix sockets are not used")

    async def sleep(self, seconds: float) -> None:
        """Sleep as the opener does (httpcore's retries)."""
        await self.opener.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with its connections made through a CheckedNetwork."""

    def __init__(self, verify: ssl.SSLContext | bool, network: CheckedNetwork) -> None:
        context = (
            verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify)
        )
        super().__init__(verify=context)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's
        # httpx has no parameter for a network backend: its pool is replaced by one that
        # differs only in that backend (handle_async_request and aclose use self._pool).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=network,
        )

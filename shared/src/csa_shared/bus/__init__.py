"""Event bus: one interface, a Kafka implementation and an in-process one."""

from csa_shared.bus.base import BusUnavailable, EventBus, Handler, Message

__all__ = ["BusUnavailable", "EventBus", "Handler", "Message"]

"""Notifications: an outbox of what people should hear about (a new task, a deadline near or passed),
shown in the app and sent by e-mail, swept like timers."""

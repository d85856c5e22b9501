"""Delivery: what each chat gets and when, composing, rendering and sending it."""

"""anbien-bot: the An Biên portal's news, delivered to residents in Telegram.

News flows one way, sources -> store -> outbox -> sender, and the packages are layered in that
order; a module imports only from its own layer or those below (checked by ``lint-imports``):

    cli, bot/        the command line; Telegram: wiring, services, handlers
    sources/         reading portals and feeds, storing what is new
    delivery/        what each chat gets and when (planner), rendering, the paced sender
    store/, net/     all SQL; the polite fetcher
    config, texts/, models, values, log    configuration, wording, data shapes, named values
    text/            pure helpers: folding, dates, URLs, plain text, search queries
"""

__version__ = "0.1.0"

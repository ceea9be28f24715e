"""Published plans for everyone: public pages, open data, and what keeps them fit for
anonymous traffic (cache validators, a rate limit per client address).

Owns: the open data builders (`data`), their views and addresses, the middleware (`http`).
May import: the models, the standings and their loaders (read as an anonymous visitor), the
plans' evaluations and the network helpers; never the signed-in views.
"""

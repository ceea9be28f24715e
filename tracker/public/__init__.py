"""Published plans, open to everyone: public pages under /public/, open data, and what keeps
them fit for anonymous traffic (cache validators, a rate limit per client address).

What a published plan shows is what an anonymous reader may see: approved figures only,
loaded through the viewer-aware loaders as a reader who is nobody, never a name of staff,
a return, a message, a plausibility text, 原因及措施, evidence, or a note not marked public.

Owns: the pages (`views`, `urls`), the open data builders (`data`) with their views and
addresses, the middleware (`http`). Pages layer: may import every package of the app except
the signed-in views; nothing below imports it.
"""

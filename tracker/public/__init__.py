"""Published plans, open to everyone at /public/: pages and downloads that need no account.

What a published plan shows is what an anonymous reader may see: approved figures only,
loaded through the viewer-aware loaders as a reader who is nobody, never a name of staff,
a return, a message, a plausibility text, 原因及措施, evidence, or a note not marked public.

Pages layer: may import every package of the app; nothing below imports it.
"""

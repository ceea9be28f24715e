from tracker.figures.rights import is_admin


def roles(request):
    return {"is_admin": is_admin(request.user) if hasattr(request, "user") else False}

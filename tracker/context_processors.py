from tracker.figures.rights import is_admin
from tracker.views.regions import home_region


def roles(request):
    """Whether the person administers, and the region whose matrix is their home page (a
    callable: read only where a page asks)."""
    if not hasattr(request, "user"):
        return {"is_admin": False, "home_region": None}
    return {
        "is_admin": is_admin(request.user),
        "home_region": lambda: home_region(request.user),
    }

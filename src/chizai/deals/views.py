from django.shortcuts import render

from chizai.core.scoping import org_view


@org_view("deals", "view")
def index(request):
    return render(request, "deals/index.html")

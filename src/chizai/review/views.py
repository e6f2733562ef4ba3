from django.shortcuts import render

from chizai.core.scoping import org_view


@org_view("review", "view")
def index(request):
    return render(request, "review/index.html")

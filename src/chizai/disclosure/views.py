from django.shortcuts import render

from chizai.core.scoping import org_view


@org_view("disclosure", "view")
def index(request):
    return render(request, "disclosure/index.html")

from django.shortcuts import render

from chizai.core.scoping import org_view


@org_view("advisers", "view")
def index(request):
    return render(request, "advisers/index.html")

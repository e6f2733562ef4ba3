from django.shortcuts import render

from chizai.core.scoping import org_view


@org_view("register", "view")
def index(request):
    return render(request, "register/index.html")

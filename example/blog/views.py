from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from django.views.generic import ListView

from .forms import CommentForm
from .models import Comment, Post


# (no cache hint: post_list.html greets {{ user.username }})
# unbounded list: no paginate_by, so every published post is rendered at once
class PostListView(ListView):
    # fine: post_list.html reads post.author.username and author is joined
    queryset = Post.objects.filter(published_at__isnull=False).select_related("author")
    template_name = "blog/post_list.html"
    context_object_name = "posts"


# fine: paginated, and already cached with cache_page
@method_decorator(cache_page(60 * 5), name="dispatch")
class ArchiveView(ListView):
    queryset = Post.objects.filter(published_at__isnull=False)
    template_name = "blog/archive.html"
    context_object_name = "posts"
    paginate_by = 25


# fine (no cache hint): handles POST and post_detail.html has {% csrf_token %}
def post_detail(request, slug):
    post = get_object_or_404(Post.objects.select_related("author"), slug=slug)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        comment = form.save(commit=False)
        comment.post = post
        comment.save()
        # slow response: send_mail talks to the SMTP server inside the request
        send_mail(
            f"New comment on {post.title}",
            comment.body,
            settings.DEFAULT_FROM_EMAIL,
            [post.author.email],
        )
        return redirect(post)
    context = {"post": post, "form": form, "comments": post.comments.all()}
    return render(request, "blog/post_detail.html", context)


@login_required
def moderation_queue(request):
    # The first page of all comments in Comment's Meta.ordering (created_at), which has no index: the database
    # sorts the whole table for 50 rows. (post.comments.all() above is narrowed by the post's index: fine.)
    comments = Comment.objects.all()[:50]
    return render(request, "blog/moderation.html", {"comments": comments})

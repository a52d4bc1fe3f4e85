# Baselines.  Keep these cheap: they run on every CI push.
$(eval $(call experiment,tfidf-lr,imdb,tfidf_lr,C=1.0 max_features=50000))
$(eval $(call experiment,tfidf-lr-sst2,sst2,tfidf_lr,C=0.5))

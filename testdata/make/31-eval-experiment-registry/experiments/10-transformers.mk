# Fine-tuned encoders; three seeds each, mean and std reported.
$(eval $(call experiment,distilbert,imdb,hf_encoder,\
  model_name=distilbert-base-uncased lr=5e-5 epochs=2 seeds=1$(comma)2$(comma)3))
$(eval $(call experiment,roberta-sst2,sst2,hf_encoder,model_name=roberta-base lr=2e-5 seeds=1$(comma)2))

// A/B of process mode's chunk target for slow rows (LB_CHUNK_MS, a temporary switch): 200 CPU-bound
// rows of ~20 ms, workers started 1 s before the run (prewarm), beside the raw floor, same rounds.
const path=require('path');const OUT='/work/main/out/bench';
const { CaseChild, rounds } = require(path.join(OUT, 'caseChild'));
(async()=>{
 const [cal]=await rounds([{kind:'calibrate',targetMs:20}],0);const iters=cal.info.iters;
 const base={kind:'engine',mode:'process',workers:2,rows:200,fixture:'busy',iters,warmup:false,prewarm:true};
 const kids={seq:await CaseChild.start({kind:'engine',mode:'sequential',workers:1,rows:200,fixture:'busy',iters,warmup:false}),
  floor:await CaseChild.start({kind:'cpu-floor',rows:200,children:2,iters})};
 for(const ms of process.argv[2].split(',')) kids['chunk'+ms]=await CaseChild.start(base,{...process.env,LB_CHUNK_MS:ms});
 const names=Object.keys(kids);const res={};names.forEach(n=>res[n]=[]);
 const R=Number(process.argv[3]||8);
 for(let r=0;r<R;r++){const order=r%2?[...names].reverse():names;for(const n of order){const s=await kids[n].run();res[n].push(s.ms)}}
 await Promise.all(Object.values(kids).map(k=>k.end()));
 const med=a=>{const b=[...a].sort((x,y)=>x-y);return b[b.length>>1]};
 const out={date:new Date().toISOString(),iters,rounds:R,ms:res,floorOverOurs:{}};
 for(const n of names){const of=res[n].map((x,i)=>res.floor[i]/x);out.floorOverOurs[n]=of;console.log(n.padEnd(9),res[n].map(x=>Math.round(x)).join(' '),'| floor÷ours',of.map(x=>x.toFixed(3)).join(' '),'min',Math.min(...of).toFixed(3),'med',med(of).toFixed(3));}
 require('fs').writeFileSync(process.argv[4]||'/tmp/chunkab.json',JSON.stringify(out,null,1));process.exit(0)})();
